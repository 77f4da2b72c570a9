//! `GET /api/openapi.json`: the API's OpenAPI 3.1 document (`server/openapi.json`), served
//! without a session so the city's tools can read it. It is data, kept in step with the
//! routes and `koe_core`'s types by `tests/openapi.rs`.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// The document, as written in `server/openapi.json`.
pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    use super::DOCUMENT;
    use serde_json::Value;

    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn document_is_json_and_every_ref_resolves() {
        let doc: Value = serde_json::from_str(DOCUMENT).expect("server/openapi.json is JSON");
        assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3.1"));
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for r in found {
            let pointer = r
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{r} is not local"));
            assert!(doc.pointer(pointer).is_some(), "{r} points nowhere");
        }
    }
}
