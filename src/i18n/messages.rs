//! Every fixed text of the app, Japanese first. `{}` marks where [`Msg::fill`] puts a value.

use koe_core::Bilingual;

use super::Lang;

macro_rules! messages {
    ($($name:ident => $ja:expr, $en:expr;)+) => {
        /// A fixed text of the app, in both languages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg {
            $($name,)+
        }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)+];

            pub fn ja(self) -> &'static str {
                match self {
                    $(Msg::$name => $ja,)+
                }
            }

            pub fn en(self) -> &'static str {
                match self {
                    $(Msg::$name => $en,)+
                }
            }
        }
    };
}

messages! {
    AppName => "Koe 声 区民の声", "Koe: residents' voice";
    Online => "オンライン", "Online";
    Offline => "オフライン", "Offline";
    SyncNow => "今すぐ同期", "Sync now";
    SignOut => "サインアウト", "Sign out";
    SwitchLanguage => "English", "日本語";
    SwitchLanguageLabel => "English（表示言語を英語に切り替える）", "日本語 (switch the display language to Japanese)";
    MainMenu => "メニュー", "Menu";
    SkipToMain => "本文へ移動", "Skip to content";
    NavCapture => "新規受付", "New request";
    NavMine => "自分の受付", "My requests";
    NavOffice => "区の一覧", "Ward list";
    SignedInAs => "担当: {}", "Signed in: {}";

    SyncIdle => "未送信 {} 件", "{} waiting";
    SyncNothingWaiting => "未送信はありません", "Nothing waiting";
    SyncLast => "最終同期 {}", "Last synced {}";
    SyncNever => "まだ同期していません", "Not synced yet";
    SyncRunning => "同期中… {}", "Syncing… {}";
    SyncOffline => "オフライン：接続が戻ると自動で送信します", "Offline: sends automatically when connected";
    SyncSignInAgain => "サインインし直してください", "Sign in again";
    SyncRejected => "却下 {} 件（自分の受付で理由を確認してください）", "{} rejected (see the reason in My requests)";
    SignInAgainButton => "サインインする", "Sign in";

    DbOpening => "端末の保存領域を準備中です…", "Preparing storage on this device…";
    DbBlocked => "他のタブで古い版の Koe が開いています。そのタブを閉じてください。", "An older Koe is open in another tab. Close that tab.";
    DbClosed => "Koe が別のタブで更新されました。このページを再読み込みしてください。", "Koe was updated in another tab. Reload this page.";
    Reload => "再読み込み", "Reload";
    Persisted => "この端末に永続保存されます", "Kept persistently on this device";
    NotPersisted => "ブラウザが保存データを消す場合があります。ホーム画面に追加（インストール）してください。", "The browser may clear stored data. Add Koe to the home screen (install it).";

    SignInTitle => "サインイン", "Sign in";
    SignInIntro => "一度サインインすれば、電波のない現場でも受付できます。", "After one sign-in you can log requests with no signal.";
    StaffId => "職員番号", "Staff ID";
    Password => "パスワード", "Password";
    SignInButton => "サインイン", "Sign in";
    SigningIn => "サインイン中…", "Signing in…";
    SignInMissing => "職員番号とパスワードを入力してください。", "Enter your staff ID and password.";
    SignInNeedsConnection => "サインインにはネットワーク接続が必要です。接続してからもう一度お試しください。", "Signing in needs a connection. Connect and try again.";

    CaptureTitle => "新規受付", "New request";
    Category => "分類", "Category";
    ChooseCategory => "分類を選んでください", "Choose a category";
    SensitiveNote => "要配慮個人情報です。必要なことだけを記録してください。", "Sensitive personal information: record only what is needed.";
    Title => "件名", "Title";
    Description => "相談内容（区民の方のお話）", "What the resident said";
    Place => "場所", "Place";
    Locate => "現在地を取得", "Use my location";
    Locating => "位置を取得中…", "Getting the position…";
    Accuracy => "現在地 取得済（精度 ±{} m）", "Position taken (accuracy ±{} m)";
    ClearLocation => "位置を消す", "Clear position";
    LocateDenied => "位置情報の利用が許可されていません。住所を入力してください。", "Location access is not allowed. Type an address.";
    LocateFailed => "位置を取得できませんでした。もう一度試すか住所を入力してください。", "Could not get the position. Try again or type an address.";
    LocateUnsupported => "この端末では位置情報が使えません。住所を入力してください。", "This device cannot give a position. Type an address.";
    Address => "住所・目印", "Address or landmark";
    Urgency => "緊急度", "Urgency";
    Save => "保存", "Save";
    Saving => "保存中…", "Saving…";
    Saved => "保存しました（未送信）", "Saved (not sent yet)";
    DraftRestored => "下書きを復元しました", "Draft restored";
    DiscardDraft => "破棄", "Discard";
    RecentCategories => "最近使った分類", "Recent";
    NoCatalogue => "分類の一覧がありません。接続してサインインし直してください。", "There is no category list. Connect and sign in again.";

    MineTitle => "自分の受付", "My requests";
    MineEmpty => "まだ受付はありません。", "No requests yet.";
    Loading => "読み込み中…", "Loading…";
    StateWaiting => "未送信", "Waiting";
    StateSynced => "送信済", "Synced";
    StateRejected => "却下", "Rejected";
    Sensitive => "要配慮", "Sensitive";
    OfficeStatus => "区の状態: {}", "Office status: {}";
    Reason => "理由: {}", "Reason: {}";
    NoTitle => "（件名なし）", "(no title)";

    OpenDetail => "詳細", "Details";
    DetailTitle => "受付の詳細", "Request details";
    BackToList => "一覧に戻る", "Back to the list";
    Logged => "受付日時（端末）", "Logged (device time)";
    SyncStateLabel => "送信状態", "Sending";
    Coordinates => "緯度・経度 {}", "Latitude, longitude {}";
    AccuracyM => "精度 ±{} m", "Accuracy ±{} m";
    NoPlace => "（場所なし）", "(no place)";
    OfficeSide => "区の対応", "What the office did";
    NotPulledYet => "区からの情報はまだありません（同期後に表示）。", "Nothing from the office yet (shown after syncing).";
    Assignee => "担当者", "Assignee";
    Response => "対応内容", "Response";
    RouteBy => "振分期限", "Route by";
    FirstResponseBy => "初回対応期限", "First response by";
    ConflictsTitle => "反映されなかった変更", "Edits that did not apply";
    Notes => "内部メモ", "Notes";
    History => "履歴", "History";
    NoneYet => "なし", "None";
    ShownWhenOnline => "オンライン時に表示", "Shown when online";
    HistoryCreate => "受付", "Logged";
    HistorySetFields => "変更", "Changed";
    HistoryAddNote => "メモ追加", "Note added";
    NotFound => "この受付は見つかりません。", "This request was not found.";

    OfficeTitle => "区の一覧", "Ward requests";
    OfficeNeedsConnection => "区の一覧を見るにはネットワーク接続が必要です。接続してからもう一度開いてください。", "The ward list needs a connection. Connect and open it again.";
    OfficeEmpty => "受付はまだありません。", "No requests yet.";
    Refresh => "更新", "Refresh";
    Received => "受付日時", "Received";
    Section => "担当課", "Section";
    Status => "状態", "Status";
    LoggedBy => "受付者", "Logged by";
    ResolveBy => "対応期限", "Resolve by";
    Redacted => "（要配慮・非表示）", "(Sensitive, hidden)";

    AddPhoto => "写真を追加", "Add photo";
    PhotoPreparing => "写真を処理中…", "Preparing photos…";
    RemovePhoto => "写真を削除", "Remove photo";
    PhotoAlt => "写真 {}", "Photo {}";
    PhotoFailed => "写真を読み込めませんでした（{}）。別の写真を選んでください。", "Could not read the photo ({}). Choose another photo.";
    PhotosSynced => "写真 {} 送信済", "Photos {} sent";
    PhotosRejected => "写真 却下 {} 枚", "{} photos rejected";
    SyncPhotos => "写真 送信中 {}", "Sending photos {}";
    PhotosWaiting => "写真 未送信 {} 枚", "{} photos waiting";

    ErrUnreachable => "区役所のサーバーに接続できません。接続を確認してください。", "Cannot reach the ward record. Check the connection.";
    ErrSignedOut => "サインインし直してください。", "Sign in again.";
    ErrUnexpected => "サーバーから予期しない応答がありました（{}）。しばらくしてからもう一度お試しください。", "The ward record gave an unexpected answer ({}). Try again later.";
    ErrQuota => "端末の保存領域が足りません。同期してから不要なデータを消してください。入力内容は残っています。", "This device is out of storage space. Sync, then free some space. Your input is kept.";
    ErrStore => "端末に保存できませんでした（{}）。入力内容は残っています。", "Could not save on this device ({}). Your input is kept.";
    ErrStoreUnavailable => "このブラウザでは端末に保存できません（プライベートモードなど）。通常のモードで開いてください。", "This browser cannot store data on the device (private mode?). Open Koe in a normal window.";
    ErrNoRandom => "安全な乱数が得られませんでした。ブラウザを更新してください。", "No secure random numbers are available. Update the browser.";
    ErrNotAnswered => "サーバーが一部の変更に答えませんでした。あとで再送します。", "The ward record did not answer for some changes. They will be sent again.";
}

impl Msg {
    pub fn text(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ja => self.ja(),
            Lang::En => self.en(),
        }
    }

    /// The text with `{}` replaced by `value`.
    pub fn fill(self, lang: Lang, value: &str) -> String {
        self.text(lang).replacen("{}", value, 1)
    }

    /// Both languages, for messages passed around before a language is chosen.
    pub fn bilingual(self) -> Bilingual {
        Bilingual::new(self.ja(), self.en())
    }

    /// Both languages with `{}` replaced by `value`.
    pub fn bilingual_with(self, value: &str) -> Bilingual {
        Bilingual::new(
            self.ja().replacen("{}", value, 1),
            self.en().replacen("{}", value, 1),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn every_message_has_both_languages_and_the_same_placeholders() {
        for m in Msg::ALL {
            assert!(!m.ja().is_empty() && !m.en().is_empty(), "{m:?}");
            assert_eq!(
                m.ja().matches("{}").count(),
                m.en().matches("{}").count(),
                "{m:?} placeholders differ"
            );
        }
    }

    #[wasm_bindgen_test]
    fn fill_puts_the_value_in_place() {
        assert_eq!(Msg::SyncIdle.fill(Lang::Ja, "3"), "未送信 3 件");
        assert_eq!(Msg::SyncIdle.fill(Lang::En, "3"), "3 waiting");
        assert_eq!(
            Msg::ErrStore.bilingual_with("X").en,
            "Could not save on this device (X). Your input is kept."
        );
        assert_eq!(Msg::Saved.text(Lang::Ja), "保存しました（未送信）");
    }
}
