//! Japanese first, English second. The language is chosen from `navigator.language` on the
//! first visit, switchable in the header and kept in localStorage. Every visible string of
//! the app goes through [`Msg`] (fixed texts) or [`Lang::pick`] (messages from core and the
//! ward record, which come in both languages).

mod messages;

pub use messages::Msg;

use gloo_storage::{LocalStorage, Storage};
use koe_core::Bilingual;
use leptos::prelude::*;

const LANG_KEY: &str = "koe.lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// The BCP 47 code, for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "ja" => Some(Self::Ja),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// Japanese unless the browser asks for English: the ward's staff read Japanese first.
    pub fn from_browser(language: &str) -> Self {
        if language.to_ascii_lowercase().starts_with("en") {
            Self::En
        } else {
            Self::Ja
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Ja => Self::En,
            Self::En => Self::Ja,
        }
    }

    /// The text of a two-language message in this language.
    pub fn pick(self, message: &Bilingual) -> &str {
        match self {
            Self::Ja => &message.ja,
            Self::En => &message.en,
        }
    }

    /// The text in the other language, shown smaller under the first.
    pub fn pick_other(self, message: &Bilingual) -> &str {
        self.other().pick(message)
    }

    /// Chooses between a Japanese and an English name (catalogue entries and the like).
    pub fn choose<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Ja => ja,
            Self::En => en,
        }
    }
}

/// The language in use, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The stored choice, else the browser's language.
    pub fn detect() -> Self {
        let stored = LocalStorage::get::<String>(LANG_KEY)
            .ok()
            .and_then(|c| Lang::from_code(&c));
        let lang = stored.unwrap_or_else(|| {
            let language = window().navigator().language().unwrap_or_default();
            Lang::from_browser(&language)
        });
        Self {
            lang: RwSignal::new(lang),
        }
    }

    pub fn set(&self, lang: Lang) {
        // Failing to remember the choice (storage full or disabled) only costs the choice.
        let _ = LocalStorage::set(LANG_KEY, lang.code());
        self.lang.set(lang);
    }

    /// A fixed text in the current language; call it inside a closure to follow switches.
    pub fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.lang.get())
    }

    pub fn lang(&self) -> Lang {
        self.lang.get()
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Formats a Unix time in milliseconds as local date and time, e.g. `2025/11/21 14:05`.
pub fn format_time(unix_ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_ms));
    format!(
        "{}/{:02}/{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// A due date: a working day in Japan (core's calendar counts days in JST), whatever the
/// device's time zone, as 2026/12/03.
pub fn format_due(unix_ms: i64) -> String {
    koe_core::calendar::iso_date(koe_core::calendar::jst_day(unix_ms)).replace('-', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn japanese_unless_the_browser_asks_for_english() {
        assert_eq!(Lang::from_browser("ja-JP"), Lang::Ja);
        assert_eq!(Lang::from_browser("en-GB"), Lang::En);
        assert_eq!(Lang::from_browser("EN"), Lang::En);
        assert_eq!(Lang::from_browser("fr-FR"), Lang::Ja);
        assert_eq!(Lang::from_browser(""), Lang::Ja);
    }

    #[wasm_bindgen_test]
    fn picks_the_language_of_a_bilingual_message() {
        let m = Bilingual::new("保存しました", "Saved");
        assert_eq!(Lang::Ja.pick(&m), "保存しました");
        assert_eq!(Lang::En.pick(&m), "Saved");
        assert_eq!(Lang::Ja.pick_other(&m), "Saved");
        assert_eq!(Lang::from_code(Lang::En.code()), Some(Lang::En));
    }
}
