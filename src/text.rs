//! Text typed or pasted by a person, and stored text shown again: what may be stored
//! (no control characters, not only invisible characters) and how stored text is printed
//! so that it can never steer the terminal.

use std::borrow::Cow;

/// Characters that print as nothing: zero-width spaces and joiners, the word joiner, the
/// byte-order mark, soft hyphen. A name made only of these (and spaces) is empty.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{00AD}'
                | '\u{180E}'
        )
}

/// Whether `s` shows nothing: empty, spaces, or only invisible characters such as `\u{200B}`.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(invisible)
}

/// The first control character in `s` (C0, DEL or C1; line breaks count too), if any.
/// `allow_newline` lets line feeds through, for multi-line notes.
pub fn control_char(s: &str, allow_newline: bool) -> Option<char> {
    s.chars()
        .find(|&c| c.is_control() && !(allow_newline && c == '\n'))
}

/// Stored text made safe to print on a terminal: every control character (escape, bell,
/// carriage return, …) is shown as a visible `\u{1b}`-style escape instead of acting.
pub fn escaped(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`escaped`], but line feeds stay line breaks: for messages of several lines.
pub fn escaped_lines(s: &str) -> String {
    s.split('\n').map(escaped).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_sent() {
        let evil = "Eve\u{1b}]0;PWNED\u{7}\u{1b}[2J\rOVER";
        let shown = escaped(evil);
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert_eq!(shown, "Eve\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J\\u{d}OVER");
        assert_eq!(escaped("Åse Ørsted"), "Åse Ørsted");
        assert!(matches!(escaped("plain"), Cow::Borrowed(_)));
        // C1 controls too (U+009B is a one-character CSI on some terminals).
        assert_eq!(escaped("a\u{9b}2J"), "a\\u{9b}2J");
    }

    #[test]
    fn invisible_only_is_blank() {
        for s in [
            "",
            " ",
            "\u{200b}",
            " \u{200b}\u{feff} ",
            "\u{2060}\u{200d}",
        ] {
            assert!(is_blank(s), "{s:?}");
        }
        for s in ["Karin", "\u{200b}K", "Ø"] {
            assert!(!is_blank(s), "{s:?}");
        }
    }

    #[test]
    fn control_characters_are_found() {
        assert_eq!(control_char("Eve\u{1b}[2J", false), Some('\u{1b}'));
        assert_eq!(control_char("a\nb", false), Some('\n'));
        assert_eq!(control_char("a\nb", true), None);
        assert_eq!(control_char("a\rb", true), Some('\r'));
        assert_eq!(control_char("a\tb", true), Some('\t'));
        assert_eq!(control_char("Åse Ørsted", false), None);
    }
}
