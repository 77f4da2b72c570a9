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
    SignInNeedsConnection => "この端末で初めてのサインインにはネットワーク接続が必要です。接続してからもう一度お試しください。", "Your first sign-in on this device needs a connection. Connect and try again.";
    SignInIntro2 => "この端末に残るあなたの記録は、あなたのパスワードでしか開けません。", "Your records on this device open only with your password.";
    WrongPassword => "職員IDまたはパスワードが違います。確かめてもう一度入力してください。", "The staff id or password is wrong. Check them and try again.";
    OfflineWait => "パスワードの誤りが続いたため、約{}分後にもう一度お試しください。", "Too many wrong passwords. Try again in about {} minutes.";
    OfflineTooMany => "パスワードの誤りが続いたため、電波のある所でサインインしてください。", "Too many wrong passwords. Sign in where there is a connection.";
    OfflineRefusedBefore => "前回の接続で区役所のシステムがこのサインインを認めませんでした（パスワード変更またはアカウント停止）。電波のある所で、新しいパスワードでサインインしてください。", "The ward record refused this sign-in at the last connection (a changed password or a disabled account). Sign in where there is a connection, with your new password.";
    RenewalRefused => "接続したところ、区役所のシステムがサインインを認めませんでした（パスワード変更またはアカウント停止）。あなたの記録は端末に封をしたまま残っています。新しいパスワードでサインインしてください。", "Back online, the ward record refused your sign-in (a changed password or a disabled account). Your records stay sealed on this device. Sign in with your new password.";
    LocalDataUnreadable => "この端末に残っているあなたの記録を開けませんでした。管理者に連絡してください（記録は消していません）。", "Your records on this device could not be opened. Contact an administrator (nothing was deleted).";
    SignedInOffline => "オフラインでサインインしました。接続したときに区役所のシステムで確かめます。", "Signed in offline. The ward record confirms it when you are back online.";
    OfficeOpening => "事務用の画面（区の一覧など）を開いています…", "Opening the office screens (ward list and more)…";
    OfficeSignInAgain => "事務用の画面（区の一覧など）に移りました。続けるには、もう一度パスワードを入力してください。", "You are in the office screens (ward list and more) now. Enter your password once more to continue.";
    OfficeBuildNeedsConnection => "事務用の画面（区の一覧など）は、この端末ではまだオフラインで開けません。接続があるときにもう一度サインインしてください。", "The office screens (ward list and more) do not open offline on this device yet. Sign in again when there is a connection.";
    ContinueWithFieldScreens => "現場用の画面で続ける", "Continue with the field screens";
    SignOutTitle => "サインアウトしますか", "Sign out?";
    SignOutLeaves => "未送信 {} 件・下書き {} 件があります。", "{} waiting to be sent and {} draft.";
    SignOutKept => "この端末に封をして残し、次にあなたがサインインしたときに送信します。ほかの人には見えません。", "They stay sealed on this device and go when you next sign in here. No one else can see them.";
    SignOutAnyway => "サインアウトする", "Sign out";
    StayHere => "このまま続ける", "Stay signed in";
    Dismiss => "閉じる", "Dismiss";
    MissedShownOf => "期限を過ぎた {} 件を表示しています（全 {} 件。期限の早い順）。すべては CSV 出力で確かめてください。", "Showing {} of the requests that missed it ({} in all, earliest due first). The CSV export has them all.";
    AdminTabDevices => "端末", "Devices";
    DevicesIntro => "区の端末と、そこでサインインした職員、端末に残っている未送信の件数（端末が最後に報告したもの）です。紛失した端末は使用停止にすると、そのサインインがすべて終わり、以後は同期もサインインもできません。", "The ward's devices, who signed in on each, and what waits on it (as it last reported). Retiring a lost device ends its sessions; it can neither sync nor sign in again.";
    DevicesNone => "まだ端末はありません。", "No devices yet.";
    DevicesDevice => "端末", "Device";
    DevicesLastSeen => "最終接続", "Last seen";
    DevicesWaiting => "未送信 {} 件・写真 {} 枚", "{} waiting, {} photos";
    DevicesRetire => "使用停止にする", "Retire this device";
    DevicesRetireConfirm => "この端末を使用停止にしますか。端末に残っている未送信の記録は送られなくなります。", "Retire this device? Work still waiting on it will not be sent.";
    DevicesRetired => "使用停止", "Retired";
    DevicesThisOne => "（この端末）", " (this device)";
    AdminActDeviceRetire => "端末の使用停止", "Device retired";

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
    Address => "住所", "Address";
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

    // Edit and conflicts
    EditOpen => "内容を修正", "Edit";
    EditHeading => "受付内容の修正", "Edit the request";
    EditSave => "修正を保存", "Save changes";
    EditCancel => "修正をやめる", "Cancel editing";
    EditSaved => "修正を保存しました（未送信）", "Changes saved (waiting to be sent)";
    EditCreateChanged => "未送信の受付を修正しました", "The request waiting to be sent was changed";
    EditAfterCreate => "修正しました。送信中の受付の結果が届きしだい、修正を送ります", "Changed. The change goes as soon as the ward record answers for the request being sent";
    EditCreateQueuedAgain => "修正して送り直します（未送信）", "Changed, and it will be sent again (waiting)";
    EditUnchanged => "変更はありません", "Nothing was changed";
    EditRefused => "区の記録が修正を受け付けませんでした。{}", "The ward record refused the change. {}";
    EditWaitingBadge => "修正 未送信", "Edit waiting";
    EditFinishedNote => "この受付は区の対応が終わっているため、修正は事務担当の確認に回ります。", "The office has finished with this request, so changes go to the office for review.";
    EditKeepsLocation => "位置情報（緯度・経度）はそのまま残ります。", "The position (latitude, longitude) stays as it is.";
    Landmark => "目印", "Landmark";
    ContactName => "氏名", "Name";
    ContactPhone => "電話番号", "Phone";
    ContactEmail => "メールアドレス", "Email";
    ContactConsent => "連絡してよいと同意を得た", "Agreed to be contacted";
    ContactHeading => "連絡先（任意）", "Contact (optional)";
    ConflictHeading => "区の記録と食い違いがあります", "Your edit conflicts with the ward record";
    ConflictExplain => "事務担当が同じ項目を先に変更しました。残す値を選んでください。", "The office changed the same field first. Choose the value to keep.";
    ConflictTheirs => "区の記録の値", "Ward record's value";
    ConflictMine => "自分の値", "Your value";
    KeepMine => "自分の値を残す", "Keep my value";
    KeepTheirs => "区の記録の値を残す", "Keep the ward record's value";
    KeepForReview => "事務担当の確認に任せる", "Leave it to the office's review";
    ConflictAwaitingPull => "同期すると区の記録の値が表示されます。", "Sync to see the ward record's value.";
    ConflictKept => "選んだ値を残します（未送信）", "The value you chose is kept (waiting to be sent)";
    ConflictDismissed => "食い違いを閉じました", "The conflict is closed";
    ConflictFieldLegend => "{}: どちらを残しますか", "{}: which value to keep?";
    Anonymous => "（匿名）", "(anonymous)";
    ConsentYes => "連絡可", "May be contacted";
    PhotosHeading => "写真", "Photos";
    PhotoUploading => "送信中 {}%", "Sending {}%";
    PhotoNoneOnDevice => "この端末に写真はありません。", "No photos on this device.";

    // App updates and full storage
    UpdateBannerLabel => "アプリの更新", "App update";
    UpdateReady => "新しい版があります。入力中の文字と未送信の受付はそのまま残ります（保存前の写真は先に保存してください）。", "A new version is ready. The text you are typing and the requests waiting are kept (save photos not yet saved first).";
    UpdateApply => "更新する", "Update";
    Updating => "更新中…", "Updating…";
    ErrQuotaFull => "端末の保存領域がいっぱいのため保存できませんでした。入力内容と保存済みの受付はそのまま残っています。同期してから「端末」画面で送信済みの受付を端末から消すか、端末の空き容量を増やして、もう一度「保存」を押してください。", "This device's storage is full, so this was not saved. What you typed and the requests already saved are kept. Sync, then clear synced requests on the Device page or free space on the device, and press Save again.";

    // My requests and device storage
    MineSearch => "検索（件名・内容・住所・目印）", "Search (title, description, address, landmark)";
    AllCategories => "すべての分類", "All categories";
    MineState => "状態", "State";
    AllStates => "すべての状態", "All states";
    DeviceStates => "端末の送信状態", "Sending from this device";
    OfficeStatuses => "区の状態", "Office status";
    StateConflict => "競合", "Conflict";
    MineFrom => "受付日（から）", "Logged from";
    MineUntil => "受付日（まで）", "Logged until";
    MineClearFilters => "条件をクリア", "Clear filters";
    MineMatches => "該当 {} 件", "{} matching";
    MineNoMatch => "条件に合う受付はありません。", "No requests match.";
    MineMore => "さらに表示（残り {} 件）", "Show more ({} more)";
    NavDevice => "端末", "Device";
    DeviceTitle => "端末の保存データ", "Storage on this device";
    DevicePersistence => "永続保存", "Persistent storage";
    DeviceUsage => "使用量", "Space used";
    DeviceUsageValue => "{} 使用中（上限 {}）", "{} used of {}";
    DeviceUsageUnknown => "このブラウザでは使用量を確認できません。", "This browser does not report the space used.";
    DeviceCounts => "端末にあるデータ", "Data on this device";
    DeviceKind => "種類", "Kind";
    DeviceRequests => "受付", "Requests";
    DevicePhotos => "写真", "Photos";
    DeviceAttention => "却下・競合", "Rejected or conflict";
    ClearTitle => "古い送信済みの受付を消す", "Clear old synced requests";
    ClearAfter => "受付からの日数", "Days since logged";
    DaysOption => "{} 日より前", "Older than {} days";
    ClearNote => "区の記録に届いた受付と写真だけを端末から消します。未送信・競合・却下の受付、未送信の変更、未送信の写真は消しません。区の記録からは消えません。", "Only requests and photos the ward record has are cleared from this device. Requests waiting, in conflict or rejected, unsent edits and photos not yet sent are never cleared. Nothing leaves the ward record.";
    ClearButton => "端末から消す", "Clear from this device";
    ClearConfirm => "送信済みの受付 {} 件と写真 {} 枚をこの端末から消します。よろしいですか？", "Clear {} synced requests and {} photos from this device?";
    ClearYes => "消す", "Clear";
    ClearNo => "やめる", "Cancel";
    ClearNothing => "消せる受付はありません。", "There is nothing to clear.";
    ClearDone => "受付 {} 件と写真 {} 枚をこの端末から消しました。", "Cleared {} requests and {} photos from this device.";

    // Office
    OfficeFilters => "絞り込み", "Filters";
    OfficeSearch => "検索（件名・相談内容）", "Search (title, description)";
    OfficeSearchButton => "検索", "Search";
    OfficeDepartment => "部", "Department";
    OfficeSectionFilter => "担当課", "Section";
    OfficeAny => "すべて", "Any";
    OfficeFrom => "受付日（から）", "Received from";
    OfficeTo => "受付日（まで）", "Received until";
    OfficeOverdue => "期限超過のみ", "Overdue only";
    OfficeNobody => "未割当", "Nobody assigned";
    OfficeSharedMine => "自分の課への連携のみ", "Shared with my section only";
    OfficeSort => "並び順", "Order";
    OfficeTotal => "全 {} 件", "{} in all";
    OfficeRange => "{} 件目を表示", "Showing {}";
    OfficePrev => "前の50件", "Previous 50";
    OfficeNext => "次の50件", "Next 50";
    OfficePaging => "ページ送り", "Pages";
    OfficeDownloadCsv => "一覧をCSVでダウンロード", "Download the list as CSV";
    OfficeDownloadGeoJson => "一覧をGeoJSONでダウンロード", "Download the list as GeoJSON";
    OfficeId => "受付番号", "Request ID";
    OfficeDue => "期限", "Due";
    OfficeNoMatch => "条件に合う受付はありません。", "No requests match.";
    OfficeOpen => "受付 {} を開く", "Open request {}";
    OfficeRedactedTitle => "（要配慮のため非表示）", "(hidden: sensitive)";
    OfficeOnlyOffice => "区の一覧は事務職員・課長・管理者の画面です。", "The ward list is for office staff, section heads and administrators.";
    OfficeDueNone => "基準なし", "No standard";
    ActTitle => "区の対応", "Office actions";
    ActSection => "担当課", "Responsible section";
    ActRoute => "担当課を変更", "Route";
    ActShared => "連携先（他の課）", "Shared with (other sections)";
    ActSharedSave => "連携先を保存", "Save sharing";
    ActAssignee => "担当者", "Assignee";
    ActNobody => "（担当者なし）", "(nobody)";
    ActAssign => "担当者を変更", "Assign";
    ActStatusTo => "新しい状態", "New status";
    ActStatus => "状態を変更", "Change status";
    ActNoStatusMove => "この状態から変更できる状態はありません。", "There is no status to move to from here.";
    ActResponse => "区民への対応内容", "Response to the resident";
    ActResponseSave => "対応内容を保存", "Save response";
    ActNote => "内部メモ（区民には見えません）", "Internal note (not shown to the resident)";
    ActNoteAdd => "メモを追加", "Add note";
    ActDuplicate => "重複", "Duplicate";
    ActOriginalId => "元の受付の受付番号", "Original request ID";
    ActMarkDuplicate => "重複にする", "Mark as duplicate";
    ActMarkDuplicateOf => "この受付の重複にする", "Mark as a duplicate of this one";
    ActSuggestions => "重複の候補", "Likely duplicates";
    ActSuggestionsShow => "重複の候補を探す", "Find likely duplicates";
    ActNoSuggestions => "重複の候補はありません。", "No likely duplicates.";
    ActDistance => "{} m 離れている", "{} m away";
    ActSameAddress => "同じ住所", "Same address";
    ActThisPhoto => "この受付の写真", "This request's photo";
    ActTheirPhoto => "候補の写真", "The candidate's photo";
    ActNoPhoto => "写真なし", "No photo";
    ActRefer => "他機関へ回付", "Refer elsewhere";
    ActReferTo => "回付先（機関名・連絡先など）", "Referred to (agency, contact)";
    ActReferButton => "回付する", "Refer";
    ActReferNote => "他機関へ回付: {}", "Referred elsewhere: {}";
    ActReferEmpty => "回付先を入力してください。", "Enter where it is referred to.";
    ActReview => "確認が必要な競合", "Conflicts to review";
    ActReviewed => "確認済みにする", "Mark reviewed";
    ActWaiting => "送信待ちです。次の同期で区の記録に送ります。", "Waiting: sent to the ward record at the next sync.";
    ActApplied => "区の記録に反映しました。", "Applied to the ward record.";
    ActConflict => "他の変更と競合しました。区の記録の値が残り、この変更は確認待ちになりました。", "Conflicted with another change: the ward record kept its value and this change waits for review.";
    ActRejected => "区の記録が受け付けませんでした: {}", "The ward record refused it: {}";
    ActNoteStored => "メモを区の記録に追加しました。", "The note was added to the ward record.";
    ActBadId => "受付番号（36桁の UUID）の形が正しくありません。", "That is not a request ID (a 36-character UUID).";
    ActSelf => "自分自身の重複にはできません。", "A request cannot be a duplicate of itself.";
    ActDetailsHidden => "要配慮の受付のため、対応内容・メモ・重複の候補は詳細を読める職員だけが扱えます。", "A sensitive request: the response, notes and likely duplicates are for staff who may read its details.";
    ActNeedsStore => "端末の保存領域が使えないため操作できません。", "Storage on this device is not available, so actions cannot be saved.";
    ActNeedsConnection => "重複の候補を見るにはネットワーク接続が必要です。", "Likely duplicates need a connection.";
    ActFullId => "受付番号（全桁）", "Full request ID";
    ActUnchanged => "変更はありません（すでにその値です）。", "Nothing changed (it already has that value).";

    // Standards and dashboard
    NavStandards => "サービス基準", "Service standards";
    NavDashboard => "ダッシュボード", "Dashboard";
    StandardsTitle => "サービス基準の達成状況", "Service standards kept";
    DashboardTitle => "ダッシュボード", "Dashboard";
    PeriodLegend => "期間（受付日）", "Period (date received)";
    PeriodFrom => "開始日", "From";
    PeriodTo => "終了日", "To";
    ShowReport => "表示する", "Show";
    PrintPage => "印刷", "Print";
    ReportsNeedConnection => "報告は区の記録から読み込みます。ネットワークに接続してから表示してください。", "Reports are read from the ward record. Connect to a network, then show them.";
    ReportRequests => "期間中の受付 {} 件", "{} requests received in the period";
    ReportPeriod => "期間 {}", "Period {}";
    ReportJudgedAt => "{} 時点の集計", "As of {}";
    ShareKept => "達成率", "Share kept";
    ShareKeptOf => "達成率 {}", "{} kept";
    KeptOfDecided => "（達成 {} 件／判定済み {} 件）", "({} kept of {} decided)";
    TallyKept => "達成", "Kept";
    TallyMissed => "未達成", "Missed";
    TallyOpenInTime => "未了・期限内", "Open, in time";
    TallyOpenOverdue => "未了・期限超過", "Open, overdue";
    TallyUnmeasured => "対象外", "Not measured";
    BySection => "課別", "By section";
    ByCategory => "分類別", "By category";
    MissedTitle => "基準を守れなかった受付", "Requests that missed it";
    NoneMissed => "基準を守れなかった受付はありません。", "No request missed it.";
    DueLabel => "期限", "Due";
    DoneAtLabel => "実施", "Done";
    NotDoneYet => "未了", "Not yet";
    StepDone => "済", "Done";
    OpenDueTitle => "未了の受付と期限", "Open requests and their due dates";
    OpenDueMore => "期限の早い {} 件を表示しています（全 {} 件）。", "Showing the {} due first (of {}).";
    NoOpenDue => "期限のある未了の受付はありません。", "No open request with due dates.";
    DueRoute => "担当決定の期限", "Route by";
    DueFirstResponse => "初回対応の期限", "First response by";
    DueResolve => "解決の期限", "Resolve by";
    StandardDaysNote => "受付から {} 開庁日以内（分類ごとの基準）", "Within {} working days of receipt (set per category)";
    ChartPerMonth => "月別・部別の受付件数", "Requests per month by department";
    ChartBacklog => "月末の未解決件数", "Open requests at each month's end";
    ChartFirstResponse => "初回対応までの開庁日数（中央値）と基準", "Working days to first response (median) against the standard";
    ChartResolve => "解決までの開庁日数（中央値）と基準", "Working days to resolve (median) against the standard";
    ChartTop => "件数の多い分類（上位10）", "Top 10 categories";
    SeriesMedian => "中央値", "Median";
    SeriesStandard => "基準", "Standard";
    SeriesOpen => "未解決", "Open";
    SeriesRequests => "受付件数", "Requests";
    MonthHeader => "月", "Month";
    UnitRequests => "件", " requests";
    UnitDays => "日", " days";
    NoReportData => "この期間の受付はありません。", "No requests were received in this period.";
    MonthlyTitle => "月次報告（公表用）", "Monthly summary (to publish)";
    MonthlyMonth => "対象月", "Month";
    MonthlyNote => "個人情報を含まない件数の集計です。要配慮（福祉）の分類は件数のみです。", "Counts only, nothing personal; welfare (sensitive) categories appear as counts.";
    DownloadCsv => "CSV をダウンロード", "Download CSV";
    DownloadJson => "JSON を開く", "Open JSON";

    // Administration
    NavAdmin => "管理", "Admin";
    AdminTitle => "管理", "Administration";
    AdminTabsLabel => "管理の項目", "Administration topics";
    AdminTabStaff => "職員", "Staff";
    AdminTabSections => "課", "Sections";
    AdminTabCategories => "分類と基準", "Categories & standards";
    AdminTabCalendar => "閉庁日", "Calendar";
    AdminTabChanges => "変更履歴", "Change log";
    AdminNeedsConnection => "管理の操作は区の記録で直接行います。ネットワークに接続してから開いてください。", "Administration works directly on the ward record. Connect to a network, then open it.";
    AdminSave => "保存する", "Save";
    AdminCancel => "やめる", "Cancel";
    AdminEdit => "編集", "Edit";
    AdminActions => "操作", "Actions";
    AdminConfirm => "実行する", "Yes, do it";
    AdminSaved => "保存しました。", "Saved.";
    AdminNotANumber => "「{}」には数を入力してください。", "Enter a number for “{}”.";
    AdminStaffListTitle => "職員アカウント", "Staff accounts";
    AdminNewStaff => "職員を追加", "Add a staff member";
    AdminStaffId => "職員ID", "Staff ID";
    AdminStaffIdHint => "英数字と - _ . で64文字以内。あとから変えられません。", "Letters, digits, - _ . (up to 64). It cannot be changed later.";
    AdminStaffName => "氏名", "Name";
    AdminRole => "役割", "Role";
    AdminSections => "所属する課", "Sections";
    AdminSectionsHint => "管理者以外は一つ以上選んでください。", "Choose at least one, except for administrators.";
    AdminCreateStaff => "職員を追加する", "Add staff member";
    AdminStatus => "状態", "Status";
    AdminActive => "有効", "Active";
    AdminDisabled => "停止中", "Disabled";
    AdminDisable => "停止", "Disable";
    AdminEnable => "再開", "Enable";
    AdminResetPassword => "パスワード再発行", "Reset password";
    AdminConfirmDisable => "{} を停止しますか？ サインインできなくなり、使用中の端末もすぐにサインアウトされます。", "Disable {}? They can no longer sign in, and their devices are signed out at once.";
    AdminConfirmReset => "{} のパスワードを再発行しますか？ 今のパスワードは使えなくなり、使用中の端末はサインアウトされます。", "Reset the password of {}? The current one stops working and their devices are signed out.";
    AdminEditStaff => "{} を編集", "Edit {}";
    AdminPasswordTitle => "{} のパスワード", "Password for {}";
    AdminPasswordWarning => "このパスワードは今この一度だけ表示されます。控えて、本人に安全な方法で伝えてください。閉じると二度と表示できません（忘れたときは再発行してください）。", "This password is shown only this once. Note it and give it to the person safely. Once closed it cannot be shown again (reset it if lost).";
    AdminCopy => "コピー", "Copy";
    AdminCopied => "コピーしました。", "Copied.";
    AdminCopyFailed => "コピーできませんでした。書き写してください。", "Could not copy. Write it down instead.";
    AdminPasswordDone => "控えたので閉じる", "I have noted it: close";
    AdminSectionsTitle => "課", "Sections";
    AdminNewSection => "課を追加", "Add a section";
    AdminCode => "コード", "Code";
    AdminCodeHint => "英小文字・数字・ハイフン（40文字以内、英字で始める）。あとから変えられません。", "Lower-case letters, digits and hyphens (up to 40, starting with a letter). It cannot be changed later.";
    AdminDepartment => "部", "Department";
    AdminNameJa => "名称（日本語）", "Name (Japanese)";
    AdminNameEn => "名称（英語）", "Name (English)";
    AdminWelfare => "福祉の課（要配慮の詳細を読める。あとから変えられません）", "Welfare section (may read sensitive details; cannot be changed later)";
    AdminWelfareYes => "福祉", "Welfare";
    AdminCreateSection => "課を追加する", "Add section";
    AdminRename => "名称変更", "Rename";
    AdminDelete => "削除", "Delete";
    AdminConfirmDeleteSection => "課「{}」を削除しますか？", "Delete section {}?";
    AdminRenameSection => "課「{}」の名称を変更", "Rename section {}";
    AdminCategoriesTitle => "分類とサービス基準", "Categories and service standards";
    AdminNewCategory => "分類を追加", "Add a category";
    AdminEditCategory => "分類「{}」を編集", "Edit category {}";
    AdminCategoryName => "分類", "Category";
    AdminGroupJa => "グループ（日本語）", "Group (Japanese)";
    AdminGroupEn => "グループ（英語）", "Group (English)";
    AdminDefaultSection => "担当課（既定）", "Default section";
    AdminSensitive => "要配慮（福祉の相談など。詳細を読める職員を限る）", "Sensitive (welfare: details only for staff allowed)";
    AdminHasStandard => "サービス基準を設ける", "Set a service standard";
    AdminStandardLegend => "サービス基準（開庁日数、1〜365）", "Service standard (working days, 1–365)";
    AdminRouteDays => "担当決定まで", "Route within";
    AdminFirstResponseDays => "初回対応まで", "First response within";
    AdminResolveDays => "解決まで", "Resolve within";
    AdminStandardNote => "基準の変更は、変更後に受け付けた要望から適用されます。受付済みの要望の期限は受付時に決まっているため変わりません。", "A changed standard applies to requests received from now on. Requests already received keep the due dates fixed when they were received.";
    AdminDuplicateLegend => "重複の候補とする範囲", "Likely duplicates: how near";
    AdminDuplicateRadius => "距離（メートル、1〜10000）", "Distance (metres, 1–10000)";
    AdminDuplicateDays => "期間（日、1〜365）", "Period (days, 1–365)";
    AdminDuplicates => "重複の候補", "Duplicates";
    AdminNoStandard => "基準なし", "No standard";
    AdminDaysCount => "{}日", "{} days";
    AdminCreateCategory => "分類を追加する", "Add category";
    AdminCalendarTitle => "閉庁日（土日以外）", "Days off (besides weekends)";
    AdminWeekendsFixed => "土曜日・日曜日はいつも閉庁日です。ここでは祝日・年末年始・臨時の閉庁日を登録します。", "Saturdays and Sundays are always days off. Register public holidays, the year-end closure and other closures here.";
    AdminCalendarNote => "閉庁日の変更は、変更後に受け付けた要望の期限から反映されます。", "Changes apply to the due dates of requests received afterwards.";
    AdminDate => "日付", "Date";
    AdminDayOffName => "名称", "Name";
    AdminAddDayOff => "閉庁日を追加する", "Add day off";
    AdminNewDayOff => "閉庁日を追加", "Add a day off";
    AdminNoDaysOff => "登録された閉庁日はありません。", "No days off registered.";
    AdminConfirmRemoveDay => "{} を閉庁日から外しますか？", "Remove {} from the days off?";
    AdminChangesTitle => "変更履歴", "Change log";
    AdminWhen => "日時", "When";
    AdminWho => "変更者", "By";
    AdminWhat => "内容", "Change";
    AdminTarget => "対象", "Target";
    AdminBefore => "変更前", "Before";
    AdminAfter => "変更後", "After";
    AdminDetails => "変更前と変更後", "Before and after";
    AdminOlder => "さらに古い履歴を表示", "Show older changes";
    AdminNoChanges => "まだ変更はありません。", "No changes yet.";
    AdminRefresh => "最新にする", "Refresh";
    AdminActStaffCreate => "職員の追加", "Staff added";
    AdminActStaffUpdate => "職員の変更", "Staff changed";
    AdminActStaffDisable => "職員の停止", "Staff disabled";
    AdminActStaffEnable => "職員の再開", "Staff enabled";
    AdminActStaffReset => "パスワード再発行", "Password reset";
    AdminActSectionCreate => "課の追加", "Section added";
    AdminActSectionRename => "課の名称変更", "Section renamed";
    AdminActSectionDelete => "課の削除", "Section deleted";
    AdminActCategoryCreate => "分類の追加", "Category added";
    AdminActCategoryUpdate => "分類の変更", "Category changed";
    AdminActCalendarAdd => "閉庁日の追加", "Day off added";
    AdminActCalendarRemove => "閉庁日の削除", "Day off removed";
    // Issue 11, items 3 and 9: the ward list's paging and the office's desktop layout.
    OfficeRangeOf => "{}件 / {}件中", "{} of {}";
    OfficeMoreFilters => "詳しい条件", "More filters";
    OfficeListRegion => "受付の一覧", "The list of requests";
    // Request detail: photos from the ward record, readable history, the 受付票 (issue 11, items 4, 5, 10)
    PhotosWardOffline => "写真は接続中に区の記録から表示されます。", "Photos are shown from the ward record when online.";
    PhotosWardNone => "写真はありません。", "No photos.";
    PhotosWardNotAllowed => "この受付の写真を見る権限がありません。", "You may not see this request's photos.";
    PhotoArriving => "写真 {}（受信中）", "Photo {} (arriving)";
    PhotoOpenLarge => "写真 {} を大きく表示", "Show photo {} large";
    PhotoCloseLarge => "大きな写真を閉じる", "Close the large photo";
    HistoryLost => "端末からの変更は採用されず: {}", "Edits from a device not taken: {}";
    PrintReceipt => "受付票を印刷", "Print the receipt";
    ReceiptTitle => "受付票", "Request receipt";
    ReceiptNumber => "受付番号", "Number";
    ReceiptPrinted => "印刷日時", "Printed";
    // Issue 11, welfare cases closed by welfare (office actions, assignee by name)
    ActHandledBy => "要配慮の受付です。内容を読める{}の職員と管理者だけが対応します。ここでできる操作はありません。", "A sensitive request: only the staff of {} who may read it, and administrators, handle it. There is nothing to do here.";
    ActWelfareSections => "福祉の担当課", "the welfare section";
    ActAssigneeNow => "担当者", "Assigned to";
    // Issue 11, items 6 and 7 (field): answers that reach the field, contact and landmark on capture.
    AnsweredUnseen => "回答あり", "Answered";
    MineNewAnswers => "区からの新しい回答が {} 件あります。開くと確認済みになります。", "{} new answers from the office. Opening a request marks it read.";
    LandmarkHint => "例：電柱番号、店名、公園の入口など", "E.g. a utility pole number, a shop, a park entrance";
    ContactHint => "住民の方に聞いた場合だけ入力します。", "Only what the resident gave you.";
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
