//! The fonts, embedded in the binary: DejaVu Sans cut down to the characters a Danish or
//! English record uses (see `assets/fonts/README.md`), and the check that every character of
//! the record is in them. A character the fonts lack is shown as `?` and reported, never
//! drawn as a silent empty box.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use genpdf::fonts::{FontData, FontFamily};

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-subset.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold-subset.ttf");
const ITALIC: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Oblique-subset.ttf");
const BOLD_ITALIC: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-BoldOblique-subset.ttf");

/// What stands in for a character the fonts do not have.
pub const REPLACEMENT: char = '?';

/// The font family of the record.
pub fn family() -> Result<FontFamily<FontData>, genpdf::error::Error> {
    let font = |bytes: &[u8]| FontData::new(bytes.to_vec(), None);
    Ok(FontFamily {
        regular: font(REGULAR)?,
        bold: font(BOLD)?,
        italic: font(ITALIC)?,
        bold_italic: font(BOLD_ITALIC)?,
    })
}

/// Whether all four faces have a glyph for `c` (they are cut from the same character list).
pub fn covers(c: char) -> bool {
    static FACES: OnceLock<Vec<rusttype::Font<'static>>> = OnceLock::new();
    let faces = FACES.get_or_init(|| {
        [REGULAR, BOLD, ITALIC, BOLD_ITALIC]
            .iter()
            .filter_map(|b| rusttype::Font::from_bytes(*b).ok())
            .collect()
    });
    faces.len() == 4 && faces.iter().all(|f| f.glyph(c).id().0 != 0)
}

/// `text` as it can be drawn: tabs become spaces, other control characters (except line
/// breaks) are dropped, and each character the fonts lack becomes [`REPLACEMENT`] and is
/// added to `missing`.
pub fn sanitise(text: &str, missing: &mut BTreeSet<char>) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            // A line ending's carriage return is not a character of the text.
            '\r' => None,
            // Any other control character is shown and reported, never dropped unseen.
            c if c.is_control() => {
                missing.insert(c);
                Some(REPLACEMENT)
            }
            c if covers(c) => Some(c),
            c => {
                missing.insert(c);
                Some(REPLACEMENT)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_and_typographic_characters_are_covered() {
        for c in "æøåÆØÅ§–—»«„“”‘’…€•é ü ö ä ß ✓".chars() {
            assert!(covers(c), "{c:?} should be in the fonts");
        }
    }

    #[test]
    fn control_characters_are_replaced_and_reported_not_dropped() {
        let mut missing = BTreeSet::new();
        let out = sanitise("Eve\u{1b}[2J\u{7}", &mut missing);
        assert_eq!(out, "Eve?[2J?");
        assert_eq!(missing, BTreeSet::from(['\u{1b}', '\u{7}']));
    }

    #[test]
    fn missing_characters_are_replaced_and_reported() {
        let mut missing = BTreeSet::new();
        let out = sanitise("Møde 😀 i\tКиев\r\n", &mut missing);
        assert_eq!(out, "Møde ? i ????\n");
        assert!(missing.contains(&'😀') && missing.contains(&'К'));
    }
}
