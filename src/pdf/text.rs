//! Text for genpdf, made safe: every string is checked against the fonts, and lines are broken
//! here rather than by genpdf, which ignores line breaks in a paragraph and silently drops
//! the rest of a paragraph after a word wider than the page.

use std::collections::BTreeSet;

use genpdf::elements::{Break, LinearLayout, Paragraph};
use genpdf::fonts::FontCache;
use genpdf::render::Area;
use genpdf::style::{Color, Style, StyledString};
use genpdf::{Element, Margins, Mm, Position, RenderResult};

use super::fonts;

/// Builds the body of the record as a column of lines.
pub struct Writer<'c> {
    cache: &'c FontCache,
    width: Mm,
    pub body: LinearLayout,
    /// Characters the fonts lack, met so far.
    pub missing: BTreeSet<char>,
    /// The height written so far, as laid out (for keeping a block together on one page).
    pub height: Mm,
}

/// A space that does not break a line (U+00A0): words joined by it stay on one line; it is
/// printed as an ordinary space.
pub const KEEP: char = '\u{a0}';

/// Grey for secondary text.
pub const GREY: Color = Color::Rgb(90, 90, 90);
/// Red for warnings: drafts, deviations, changed items.
pub const RED: Color = Color::Rgb(170, 20, 20);

impl<'c> Writer<'c> {
    pub fn new(cache: &'c FontCache, width: Mm) -> Writer<'c> {
        Writer {
            cache,
            width,
            body: LinearLayout::vertical(),
            missing: BTreeSet::new(),
            height: Mm::from(0),
        }
    }

    /// `s` checked against the fonts (a [`KEEP`] space is kept for [`wrap`]).
    pub fn clean(&mut self, s: &str) -> String {
        s.split(KEEP)
            .map(|part| fonts::sanitise(part, &mut self.missing))
            .collect::<Vec<_>>()
            .join(&KEEP.to_string())
    }

    /// The height of one line in `style`, with the document's line spacing.
    fn line_height(&self, style: Style) -> Mm {
        let mut s = Style::new().with_font_size(10).with_line_spacing(1.25);
        s.merge(style);
        s.line_height(self.cache)
    }

    /// A paragraph, wrapped to the width less `indent` millimetres; line breaks kept.
    pub fn para(&mut self, text: &str, style: Style, indent: f32) {
        let text = self.clean(text);
        for line in wrap(self.cache, style, &text, self.width - Mm::from(indent)) {
            self.line(StyledString::new(line, style), None, indent);
        }
    }

    /// "Label: value", the label bold, the value wrapped after it.
    pub fn labelled(&mut self, label: &str, value: &str, style: Style, indent: f32) {
        let label = format!("{}: ", self.clean(label));
        let value = self.clean(value);
        let bold = style.bold();
        let width = self.width - Mm::from(indent);
        let first = width - bold.str_width(self.cache, &label);
        let lines = wrap_first(self.cache, style, &value, first, width);
        for (n, line) in lines.into_iter().enumerate() {
            if n == 0 {
                self.line(
                    StyledString::new(label.clone(), bold),
                    Some(StyledString::new(line, style)),
                    indent,
                );
            } else {
                self.line(StyledString::new(line, style), None, indent);
            }
        }
    }

    fn line(&mut self, first: StyledString, second: Option<StyledString>, indent: f32) {
        if first.s.trim().is_empty() && second.is_none() {
            self.gap(1.0);
            return;
        }
        self.height += self.line_height(first.style);
        let mut p = Paragraph::new(first);
        if let Some(s) = second {
            p.push(s);
        }
        self.body
            .push(p.padded(Margins::trbl(0, 0, 0, Mm::from(indent))));
    }

    /// A table: each column's share of the width by `weights`, the first row in bold, each
    /// cell wrapped to its column.
    pub fn table(&mut self, weights: &[usize], rows: &[Vec<String>], style: Style) {
        let total: usize = weights.iter().sum::<usize>().max(1);
        let mut table = genpdf::elements::TableLayout::new(weights.to_vec());
        table.set_cell_decorator(genpdf::elements::FrameCellDecorator::new(true, true, false));
        for (r, row) in rows.iter().enumerate() {
            let cell_style = if r == 0 { style.bold() } else { style };
            let mut cells: Vec<Box<dyn Element>> = Vec::new();
            for (c, text) in row.iter().enumerate() {
                let width = self.width * (weights.get(c).copied().unwrap_or(1) as f64)
                    / (total as f64)
                    - Mm::from(2.5);
                let text = self.clean(text);
                let mut cell = LinearLayout::vertical();
                for line in wrap(self.cache, cell_style, &text, width) {
                    cell.push(Paragraph::new(StyledString::new(line, cell_style)));
                }
                cells.push(Box::new(cell.padded(Margins::trbl(0.5, 1, 0.5, 1))));
            }
            // Rows are made of as many cells as there are weights.
            let _ = table.push_row(cells);
        }
        self.body.push(table);
    }

    /// Vertical space of `lines` lines of the default size.
    pub fn gap(&mut self, lines: f64) {
        self.height += self.line_height(Style::new()) * lines;
        self.body.push(Break::new(lines));
    }

    /// A thin horizontal line across the page.
    pub fn rule(&mut self) {
        self.height += Mm::from(3);
        self.body.push(Rule);
    }
}

/// Breaks `text` into lines no wider than `width` in `style`: at its line breaks, between
/// words, and inside a word that is wider than a whole line.
pub fn wrap(cache: &FontCache, style: Style, text: &str, width: Mm) -> Vec<String> {
    wrap_first(cache, style, text, width, width)
}

/// [`wrap`], with the first line `first` wide (what is left after a label).
pub fn wrap_first(
    cache: &FontCache,
    style: Style,
    text: &str,
    first: Mm,
    width: Mm,
) -> Vec<String> {
    // A little slack against rounding: genpdf measures each word on its own.
    let slack = Mm::from(0.5f32);
    let mut lines: Vec<String> = Vec::new();
    let room = |lines: &Vec<String>| {
        if lines.is_empty() {
            first - slack
        } else {
            width - slack
        }
    };
    let fits = |s: &str, room: Mm| style.str_width(cache, &s.replace(KEEP, " ")) <= room;
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if fits(&candidate, room(&lines)) {
                line = candidate;
                continue;
            }
            if !line.is_empty() || (lines.is_empty() && fits(word, width - slack)) {
                lines.push(std::mem::take(&mut line));
            }
            if fits(word, room(&lines)) {
                line = word.to_string();
                continue;
            }
            for c in word.chars() {
                line.push(c);
                if !fits(&line, room(&lines)) && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        lines.push(line);
    }
    lines.into_iter().map(|l| l.replace(KEEP, " ")).collect()
}

/// Elements that go on one page: when they do not fit in what is left of a page (and the
/// page already holds something), they start on the next one.
pub struct KeepTogether {
    inner: LinearLayout,
    height: Mm,
    moved: bool,
}

impl KeepTogether {
    /// `height` is what the elements take, as the [`Writer`] measured it.
    pub fn new(inner: LinearLayout, height: Mm) -> KeepTogether {
        KeepTogether {
            inner,
            height,
            moved: false,
        }
    }
}

impl Element for KeepTogether {
    fn render(
        &mut self,
        context: &genpdf::Context,
        area: Area<'_>,
        style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        // A little room to spare: genpdf's lines come out slightly taller than measured, and
        // a long block's last line must not spill onto a page of its own.
        if !self.moved && area.size().height < self.height * 1.1 + Mm::from(2) {
            // Once only: on the next page it is rendered whatever its size.
            self.moved = true;
            return Ok(RenderResult {
                size: genpdf::Size::new(0, 0),
                has_more: true,
            });
        }
        self.moved = true;
        self.inner.render(context, area, style)
    }
}

/// A horizontal line the width of its area.
struct Rule;

impl Element for Rule {
    fn render(
        &mut self,
        _context: &genpdf::Context,
        area: Area<'_>,
        _style: Style,
    ) -> Result<RenderResult, genpdf::error::Error> {
        let width = area.size().width;
        area.draw_line(
            vec![
                Position::new(0, 1.5f32),
                Position::new(width, Mm::from(1.5f32)),
            ],
            Style::new().with_color(Color::Rgb(150, 150, 150)),
        );
        Ok(RenderResult {
            size: genpdf::Size::new(width, 3),
            has_more: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> FontCache {
        FontCache::new(fonts::family().unwrap())
    }

    #[test]
    fn wrap_keeps_line_breaks_and_breaks_long_words() {
        let cache = cache();
        let style = Style::new().with_font_size(10);
        let width = Mm::from(40);
        let text = format!("første linje\n\nen {} slut", "x".repeat(200));
        let lines = wrap(&cache, style, &text, width);
        assert_eq!(lines[0], "første linje");
        assert_eq!(lines[1], "");
        assert!(lines.len() > 5, "{lines:?}");
        for l in &lines {
            assert!(style.str_width(&cache, l) <= width, "{l} too wide");
        }
        let joined: String = lines.concat();
        assert_eq!(joined.matches('x').count(), 200, "nothing dropped");
        assert!(joined.ends_with("slut"));
    }
}
