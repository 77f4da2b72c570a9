//! Every error the API answers: a status and an `ErrorBody { code, message: { ja, en } }`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use koe_core::api::ErrorBody;
use koe_core::Bilingual;
use serde::de::DeserializeOwned;

use crate::store::StoreError;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Bilingual,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        ja: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            message: Bilingual::new(ja, en),
        }
    }

    pub fn signed_out() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "signed_out",
            "サインインしていません。もう一度サインインしてください。",
            "You are not signed in. Sign in again.",
        )
    }

    pub fn bad_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "職員IDまたはパスワードが違います。確かめてもう一度入力してください。",
            "The staff id or password is wrong. Check them and try again.",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "そのAPIはありません。アプリを更新してください。",
            "There is no such API. Update the app.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "このAPIはその方法では使えません。アプリを更新してください。",
            "This API does not take that method. Update the app.",
        )
    }

    pub fn too_large(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", ja, en)
    }

    pub fn bad_fields(detail: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_fields",
            format!("送信内容の項目が正しくありません。アプリを更新してください。（{detail}）"),
            format!("A field of the request is missing or of the wrong type. Update the app. ({detail})"),
        )
    }

    /// A device an administrator retired (`POST /api/admin/devices/{id}/retire`).
    pub fn device_retired() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "device_retired",
            "この端末は管理者が使用停止にしました。別の端末を使うか、管理者に連絡してください。",
            "An administrator has retired this device. Use another device, or ask an administrator.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "区の記録で問題が起きました。記録は端末に残っています。しばらくしてからもう一度同期してください。",
            "The ward record had a problem. Your records stay on the device; sync again in a while.",
        )
    }

    /// A JSON body the extractor refused, as an answer a person can act on.
    pub fn from_json_rejection(rejection: JsonRejection) -> Self {
        let detail = rejection.body_text();
        match rejection {
            JsonRejection::JsonSyntaxError(_) => Self::new(
                StatusCode::BAD_REQUEST,
                "bad_json",
                format!("送信内容がJSONとして読めません。アプリを更新してください。（{detail}）"),
                format!("The request body is not valid JSON. Update the app. ({detail})"),
            ),
            JsonRejection::JsonDataError(_) => Self::bad_fields(&detail),
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_json",
                "送信内容は application/json で送ってください。",
                "Send the body as application/json.",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::too_large(
                "送信内容が大きすぎます（上限 1 MiB）。分けて送ってください。",
                "The request body is too large (limit 1 MiB). Send it in smaller parts.",
            ),
            other => Self::new(
                StatusCode::BAD_REQUEST,
                "bad_body",
                format!(
                    "送信内容を受け取れませんでした。もう一度送ってください。（{}）",
                    other.body_text()
                ),
                format!(
                    "The request body could not be read. Send it again. ({})",
                    other.body_text()
                ),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code.to_string(),
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if let StoreError::DeviceRetired(_) = e {
            return Self::device_retired();
        }
        tracing::error!(error = %e, "storage error");
        Self::internal()
    }
}

/// `axum::Json` whose refusals are `ErrorBody`s: 400 `bad_json` for syntax, 422
/// `bad_fields` for missing fields or wrong types, 415 `not_json`, 413 `too_large`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::from_json_rejection(rejection)),
        }
    }
}
