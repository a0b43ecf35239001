//! Keys → actions, by screen. The tables here also draw the help overlay and the footer, so
//! what the screen says is what the keys do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::i18n::Lang;
use crate::review::Outcome;
use crate::tui::app::{Action, App, Hint, Overlay, Screen};
use crate::tui::walkthrough::{ATTENDEES, Walkthrough};

/// A key as written in a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Code(KeyCode),
    Ctrl(char),
}

/// Whether the footer shows a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Footer {
    /// Only in the help overlay.
    No,
    /// Always in the footer.
    Always,
    /// In the footer when the line has room (80 columns hold the `Always` ones).
    Room,
}

/// One line of a keymap: the keys, what they do, and whether the footer shows them.
pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written on screen.
    pub shown: &'static str,
    pub action: Action,
    /// Danish and English: a word or two for the footer, a phrase for the help overlay.
    pub da: (&'static str, &'static str),
    pub en: (&'static str, &'static str),
    pub footer: Footer,
}

impl Binding {
    /// The phrase for the help overlay.
    pub fn describe(&self, lang: Lang) -> &'static str {
        lang.pick(self.da, self.en).1
    }

    /// The word or two for the footer.
    pub fn short(&self, lang: Lang) -> &'static str {
        lang.pick(self.da, self.en).0
    }
}

use Footer::{Always, No, Room};
use Key::{Char, Code, Ctrl};

const fn b(
    keys: &'static [Key],
    shown: &'static str,
    action: Action,
    da: (&'static str, &'static str),
    en: (&'static str, &'static str),
    footer: Footer,
) -> Binding {
    Binding {
        keys,
        shown,
        action,
        da,
        en,
        footer,
    }
}

/// The dashboard's keys.
pub const DASHBOARD: &[Binding] = &[
    b(
        &[Code(KeyCode::Up), Char('k')],
        "↑ k",
        Action::Up,
        ("op", "op"),
        ("up", "up"),
        No,
    ),
    b(
        &[Code(KeyCode::Down), Char('j')],
        "↓ j",
        Action::Down,
        ("ned", "ned"),
        ("down", "down"),
        No,
    ),
    b(
        &[Code(KeyCode::PageUp), Code(KeyCode::PageDown)],
        "PgUp/Dn",
        Action::ScrollDown,
        ("side", "en side op / ned"),
        ("page", "a page up / down"),
        No,
    ),
    b(
        &[
            Code(KeyCode::Home),
            Char('g'),
            Code(KeyCode::End),
            Char('G'),
        ],
        "Home/End",
        Action::First,
        ("først / sidst", "første / sidste gennemgang (også g og G)"),
        ("first / last", "first / last review (also g and G)"),
        No,
    ),
    b(
        &[Code(KeyCode::Tab), Code(KeyCode::BackTab)],
        "Tab",
        Action::NextOrg,
        (
            "næste organisation",
            "næste organisation (Shift+Tab: forrige)",
        ),
        (
            "next organisation",
            "next organisation (Shift+Tab: previous)",
        ),
        No,
    ),
    b(
        &[Code(KeyCode::Enter)],
        "Enter",
        Action::Open,
        ("åbn", "åbn den valgte gennemgang"),
        ("open", "open the selected review"),
        Always,
    ),
    b(
        &[Code(KeyCode::Left), Char('[')],
        "← [",
        Action::PrevYear,
        ("forrige år", "vis året før (historik)"),
        ("previous year", "show the year before (history)"),
        Room,
    ),
    b(
        &[Code(KeyCode::Right), Char(']')],
        "→ ]",
        Action::NextYear,
        ("næste år", "vis året efter"),
        ("next year", "show the year after"),
        Room,
    ),
    b(
        &[Char('w')],
        "w",
        Action::Walkthrough,
        ("personalemøde", "gennemgå politikken på personalemødet"),
        ("staff meeting", "walk the staff through the policy"),
        Room,
    ),
    b(
        &[Char('r')],
        "r",
        Action::Register,
        (
            "anmodninger",
            "registret over anmodninger fra registrerede (indsigt, sletning, …)",
        ),
        (
            "requests",
            "the register of data-subject requests (access, erasure, …)",
        ),
        // In the help and in the open requests' title: the footer at 80 columns is full.
        No,
    ),
    b(
        &[Char('?')],
        "?",
        Action::Help,
        ("hjælp", "vis tasterne"),
        ("help", "show the keys"),
        Always,
    ),
    b(
        &[Char('q'), Code(KeyCode::Esc)],
        "q",
        Action::Quit,
        ("afslut", "afslut aarshjul"),
        ("quit", "quit aarshjul"),
        Always,
    ),
];

/// The review screen's keys.
pub const REVIEW: &[Binding] = &[
    b(
        &[Code(KeyCode::Up), Char('k')],
        "↑ k",
        Action::Up,
        ("op", "forrige punkt"),
        ("up", "previous item"),
        No,
    ),
    b(
        &[Code(KeyCode::Down), Char('j')],
        "↓ j",
        Action::Down,
        ("ned", "næste punkt"),
        ("down", "next item"),
        No,
    ),
    b(
        &[Code(KeyCode::Enter), Char(' ')],
        "Enter",
        Action::Mark(Outcome::Done),
        ("udført", "markér punktet udført (Enter eller mellemrum)"),
        ("done", "mark the item done (Enter or space)"),
        Always,
    ),
    b(
        &[Char('n')],
        "n",
        Action::Mark(Outcome::NotApplicable),
        ("ikke relevant", "markér punktet ikke relevant"),
        ("not applicable", "mark the item not applicable"),
        Always,
    ),
    b(
        &[Char('a')],
        "a",
        Action::Mark(Outcome::Deviation),
        ("afvigelse", "markér en afvigelse (kræver en note)"),
        ("deviation", "mark a deviation (needs a note)"),
        Always,
    ),
    b(
        &[Char('e')],
        "e",
        Action::EditNote,
        ("note", "skriv eller ret punktets note"),
        ("note", "write or edit the item's note"),
        Room,
    ),
    b(
        &[Char('x')],
        "x",
        Action::Export,
        ("pdf", "eksportér PDF (et udkast, hvis ikke underskrevet)"),
        ("pdf", "export the PDF (a draft while unsigned)"),
        Room,
    ),
    b(
        &[Char('v')],
        "v",
        Action::OpenExport,
        (
            "vis pdf",
            "åbn den sidst eksporterede PDF i systemets fremviser",
        ),
        (
            "view pdf",
            "open the PDF exported last in the system's viewer",
        ),
        No,
    ),
    b(
        &[Char('u')],
        "u",
        Action::Retract,
        ("fortryd", "træk registreringen tilbage"),
        ("retract", "withdraw the item's outcome"),
        No,
    ),
    b(
        &[Char('o')],
        "o",
        Action::FollowUp,
        ("opfølgning", "angiv opfølgning på en afvigelse"),
        ("follow-up", "say what will be done about a deviation"),
        No,
    ),
    b(
        &[Char('c')],
        "c",
        Action::CloseFollowUp,
        ("luk opfølgning", "luk punktets åbne opfølgning med en note"),
        (
            "close follow-up",
            "close the item's open follow-up with a note",
        ),
        No,
    ),
    b(
        &[Char('S')],
        "S",
        Action::SignReview,
        ("underskriv", "underskriv hele gennemgangen"),
        ("sign", "sign the whole review"),
        Always,
    ),
    b(
        &[Char('R')],
        "R",
        Action::Reopen,
        ("genåbn", "genåbn en underskrevet gennemgang"),
        ("reopen", "reopen a signed review"),
        No,
    ),
    b(
        &[Code(KeyCode::PageDown)],
        "PgDn",
        Action::ScrollDown,
        ("rul ned", "rul detaljerne en side ned"),
        ("scroll down", "scroll the details down a page"),
        No,
    ),
    b(
        &[Code(KeyCode::PageUp)],
        "PgUp",
        Action::ScrollUp,
        ("rul op", "rul detaljerne en side op"),
        ("scroll up", "scroll the details up a page"),
        No,
    ),
    b(
        &[Char('w')],
        "w",
        Action::Walkthrough,
        ("personalemøde", "gennemgå politikken på personalemødet"),
        ("staff meeting", "walk the staff through the policy"),
        No,
    ),
    b(
        &[Char('?')],
        "?",
        Action::Help,
        ("hjælp", "vis tasterne"),
        ("help", "show the keys"),
        Always,
    ),
    b(
        &[Char('q'), Code(KeyCode::Esc)],
        "q",
        Action::Back,
        ("tilbage", "tilbage til oversigten"),
        ("back", "back to the overview"),
        Always,
    ),
];

/// The register screen's keys.
pub const REGISTER: &[Binding] = &[
    b(
        &[Code(KeyCode::Up), Char('k')],
        "↑ k",
        Action::Up,
        ("op", "forrige anmodning"),
        ("up", "previous request"),
        No,
    ),
    b(
        &[Code(KeyCode::Down), Char('j')],
        "↓ j",
        Action::Down,
        ("ned", "næste anmodning"),
        ("down", "next request"),
        No,
    ),
    b(
        &[Char('n')],
        "n",
        Action::NewRequest,
        ("ny", "registrér en ny anmodning"),
        ("new", "register a new request"),
        Always,
    ),
    b(
        &[Char('f')],
        "f",
        Action::ExtendRequest,
        (
            "forlæng",
            "forlæng fristen (den registrerede skal have besked inden fristen)",
        ),
        (
            "extend",
            "extend the deadline (the data subject must be told within it)",
        ),
        Always,
    ),
    b(
        &[Char('a')],
        "a",
        Action::CloseRequest,
        ("afslut", "afslut: besvaret, afvist eller trukket tilbage"),
        ("close", "close: answered, refused or withdrawn"),
        Always,
    ),
    b(
        &[Char('?')],
        "?",
        Action::Help,
        ("hjælp", "vis tasterne"),
        ("help", "show the keys"),
        Always,
    ),
    b(
        &[Char('q'), Code(KeyCode::Esc)],
        "q",
        Action::Back,
        ("tilbage", "tilbage til oversigten"),
        ("back", "back to the overview"),
        Always,
    ),
];

/// The note editor's own keys; every other key edits the text.
pub const NOTE: &[Binding] = &[
    b(
        &[Ctrl('s')],
        "Ctrl+S",
        Action::Submit,
        ("gem noten", "gem noten"),
        ("save the note", "save the note"),
        Always,
    ),
    b(
        &[Code(KeyCode::Esc)],
        "Esc",
        Action::Cancel,
        (
            "annullér",
            "luk uden at gemme (spørger, hvis teksten er ændret)",
        ),
        ("cancel", "close without saving (asks if the text changed)"),
        Always,
    ),
    b(
        &[Ctrl('z')],
        "Ctrl+Z",
        Action::Undo,
        ("fortryd", "fortryd seneste ændring"),
        ("undo", "undo the last change"),
        Room,
    ),
    b(
        &[Ctrl('u')],
        "Ctrl+U",
        Action::ClearLine,
        ("slet linjen", "slet linjen før markøren"),
        ("clear line", "clear the line before the cursor"),
        Room,
    ),
];

/// A dialog's keys; every other key edits the field.
pub const FORM: &[Binding] = &[
    b(
        &[Code(KeyCode::Enter)],
        "Enter",
        Action::Submit,
        ("næste felt / bekræft", "næste felt; i sidste felt: bekræft"),
        (
            "next field / confirm",
            "next field; in the last field: confirm",
        ),
        Always,
    ),
    b(
        &[Code(KeyCode::Tab)],
        "Tab",
        Action::NextField,
        ("skift felt", "skift felt"),
        ("switch field", "switch field"),
        Always,
    ),
    b(
        &[Code(KeyCode::Esc)],
        "Esc",
        Action::Cancel,
        ("annullér", "luk uden at gemme"),
        ("cancel", "close without saving"),
        Always,
    ),
];

/// A yes/no question's keys, as shown in Danish (j/y and n both work in either language).
pub const CONFIRM: &[Binding] = &[
    b(
        &[Char('j'), Char('y')],
        "j",
        Action::Confirm,
        ("ja", "ja"),
        ("yes", "yes"),
        Always,
    ),
    b(
        &[Char('n'), Code(KeyCode::Esc)],
        "n",
        Action::Cancel,
        ("nej", "nej"),
        ("no", "no"),
        Always,
    ),
];

/// A yes/no question's keys, as shown in English.
pub const CONFIRM_EN: &[Binding] = &[
    b(
        &[Char('y'), Char('j')],
        "y",
        Action::Confirm,
        ("ja", "ja"),
        ("yes", "yes"),
        Always,
    ),
    b(
        &[Char('n'), Code(KeyCode::Esc)],
        "n",
        Action::Cancel,
        ("nej", "nej"),
        ("no", "no"),
        Always,
    ),
];

/// The yes/no keys in the user's language.
pub fn confirm(lang: Lang) -> &'static [Binding] {
    lang.pick(CONFIRM, CONFIRM_EN)
}

/// The list of open items that stop signing: move, jump to the first, close.
pub const OPEN_ITEMS: &[Binding] = &[
    b(
        &[Code(KeyCode::Enter)],
        "Enter",
        Action::Submit,
        ("gå til det første", "gå til det første åbne punkt"),
        ("go to the first", "go to the first open item"),
        Always,
    ),
    b(
        &[Code(KeyCode::Down), Char('j'), Code(KeyCode::PageDown)],
        "↓ ↑",
        Action::Down,
        ("rul", "rul listen"),
        ("scroll", "scroll the list"),
        Always,
    ),
    b(
        &[Code(KeyCode::Up), Char('k'), Code(KeyCode::PageUp)],
        "↑",
        Action::Up,
        ("op", "rul listen op"),
        ("up", "scroll the list up"),
        No,
    ),
    b(
        &[Code(KeyCode::Esc), Char('q')],
        "Esc",
        Action::Cancel,
        ("luk", "luk listen"),
        ("close", "close the list"),
        Always,
    ),
];

/// The staff-meeting sections.
pub const WALKTHROUGH: &[Binding] = &[
    b(
        &[
            Code(KeyCode::Right),
            Char(' '),
            Code(KeyCode::Enter),
            Code(KeyCode::PageDown),
            Char('l'),
        ],
        "→",
        Action::Next,
        ("næste", "næste afsnit (også mellemrum og Enter)"),
        ("next", "next section (also space and Enter)"),
        Always,
    ),
    b(
        &[
            Code(KeyCode::Left),
            Code(KeyCode::Backspace),
            Code(KeyCode::PageUp),
            Char('h'),
        ],
        "←",
        Action::Prev,
        ("forrige", "forrige afsnit"),
        ("previous", "previous section"),
        Always,
    ),
    b(
        &[Char('c')],
        "c",
        Action::ToggleContrast,
        ("kontrast", "høj kontrast til eller fra"),
        ("contrast", "high contrast on or off"),
        Always,
    ),
    b(
        &[Char('?')],
        "?",
        Action::Help,
        ("hjælp", "vis tasterne"),
        ("help", "show the keys"),
        No,
    ),
    b(
        &[Code(KeyCode::Esc), Char('q')],
        "Esc",
        Action::Back,
        ("afbryd", "afbryd (intet registreres)"),
        ("leave", "leave (nothing is recorded)"),
        Always,
    ),
];

/// The attendance form at the end of the walkthrough; other keys edit the field.
pub const ATTENDANCE: &[Binding] = &[
    b(
        &[Code(KeyCode::Tab)],
        "Tab",
        Action::NextField,
        ("næste felt", "næste felt (Enter i de korte felter)"),
        ("next field", "next field (Enter in the short fields)"),
        Always,
    ),
    b(
        &[Code(KeyCode::BackTab)],
        "Shift+Tab",
        Action::PrevField,
        ("forrige felt", "forrige felt"),
        ("previous field", "previous field"),
        No,
    ),
    b(
        &[Ctrl('s')],
        "Ctrl+S",
        Action::Submit,
        ("registrér mødet", "registrér mødet og underskriv punktet"),
        ("record the meeting", "record the meeting and sign the item"),
        Always,
    ),
    b(
        &[Code(KeyCode::PageUp)],
        "PgUp",
        Action::Prev,
        ("tilbage til afsnittene", "tilbage til sidste afsnit"),
        ("back to the sections", "back to the last section"),
        Always,
    ),
    b(
        &[Code(KeyCode::Esc)],
        "Esc",
        Action::Back,
        ("afbryd", "afbryd (intet registreres)"),
        ("leave", "leave (nothing is recorded)"),
        Always,
    ),
];

/// The help overlay: any key closes it.
pub const HELP: &[Binding] = &[b(
    &[Code(KeyCode::Esc)],
    "Esc",
    Action::Cancel,
    ("luk hjælpen (enhver tast)", "luk hjælpen"),
    ("close help (any key)", "close help"),
    Always,
)];

/// The bindings in force for the current screen and overlay.
pub fn bindings(app: &App) -> &'static [Binding] {
    match (&app.overlay, &app.screen) {
        (Some(Overlay::Note(_)), _) => NOTE,
        (Some(Overlay::Form(_)), _) => FORM,
        (Some(Overlay::ConfirmQuit | Overlay::ConfirmDiscard | Overlay::ConfirmDropNote(_)), _) => {
            confirm(app.lang)
        }
        (Some(Overlay::OpenItems { .. }), _) => OPEN_ITEMS,
        (Some(Overlay::Help), _) => HELP,
        (None, Screen::Dashboard) => DASHBOARD,
        (None, Screen::Review(_)) => REVIEW,
        (None, Screen::Register(_)) => REGISTER,
        (None, Screen::Walkthrough(w)) => walkthrough_bindings(app, w),
    }
}

/// The bindings the help overlay describes: those of the screen beneath it.
pub fn screen_bindings(app: &App) -> &'static [Binding] {
    match &app.screen {
        Screen::Dashboard => DASHBOARD,
        Screen::Review(_) => REVIEW,
        Screen::Register(_) => REGISTER,
        Screen::Walkthrough(w) => walkthrough_bindings(app, w),
    }
}

fn walkthrough_bindings(app: &App, w: &Walkthrough) -> &'static [Binding] {
    if w.at_attendance(app.checklists[w.org].walkthrough.len()) {
        ATTENDANCE
    } else {
        WALKTHROUGH
    }
}

fn matches(key: &KeyEvent, k: Key) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match k {
        Char(c) => !ctrl && key.code == KeyCode::Char(c),
        Ctrl(c) => ctrl && key.code == KeyCode::Char(c),
        Code(code) => !ctrl && key.code == code,
    }
}

/// The action for a key press, if any.
pub fn keymap(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::ForceQuit);
    }
    if app.too_small() {
        // Nothing can be seen: only what the too-small screen offers.
        let on_overview = app.overlay.is_none() && matches!(app.screen, Screen::Dashboard);
        return (on_overview && key.code == KeyCode::Char('q')).then_some(Action::Quit);
    }
    if matches!(app.overlay, Some(Overlay::Help)) {
        return Some(Action::Cancel);
    }
    let found = bindings(app)
        .iter()
        .find(|b| b.keys.iter().any(|k| matches(&key, *k)))
        .map(|b| b.action.clone());
    // One binding, two directions: the second half of its keys goes the other way.
    let found = match (found, key.code) {
        (Some(Action::ScrollDown), KeyCode::PageUp) => Some(Action::ScrollUp),
        (Some(Action::First), KeyCode::End | KeyCode::Char('G')) => Some(Action::Last),
        (Some(Action::NextOrg), KeyCode::BackTab) => Some(Action::PrevOrg),
        (found, _) => found,
    };
    if found.is_none()
        && app.overlay.is_none()
        && matches!(app.screen, Screen::Review(_))
        && matches(&key, Char('s'))
    {
        return Some(Action::Hint(Hint::SignIsCapitalS));
    }
    if let (None, Screen::Walkthrough(w)) = (&app.overlay, &app.screen)
        && std::ptr::eq(bindings(app), ATTENDANCE)
    {
        if key.code == KeyCode::Enter && w.focus != ATTENDEES {
            return Some(Action::NextField);
        }
        return found.or(Some(Action::Key(key)));
    }
    match (&app.overlay, found) {
        (Some(Overlay::Note(_) | Overlay::Form(_)), None) => Some(Action::Key(key)),
        (_, found) => found,
    }
}
