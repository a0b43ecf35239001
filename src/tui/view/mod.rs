//! Drawing. Views read `&App` and nothing else.

mod dashboard;
mod overlay;
mod register;
mod review;
mod walkthrough;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui_textarea::TextArea;

use crate::tui::app::{Action, App, ReviewScreen, Screen};
use crate::tui::keymap::{self, Binding, Footer};

/// The smallest terminal the screens are laid out for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, app, area);
        return;
    }
    // The message is wrapped, never cut: up to three lines, the last one ending in "…".
    let message_lines = app.message.as_ref().map_or(Vec::new(), |m| {
        let mut lines = wrap(&m.text, area.width.saturating_sub(3) as usize);
        if lines.len() > 3 {
            lines.truncate(3);
            lines[2].push('…');
        }
        lines
    });
    let [body, message, footer] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(message_lines.len().max(1) as u16),
        Constraint::Length(1),
    ])
    .areas(area);
    match &app.screen {
        Screen::Dashboard => dashboard::draw(frame, app, body),
        Screen::Review(rs) => review::draw(frame, app, rs, body),
        Screen::Walkthrough(w) => walkthrough::draw(frame, app, w, body),
        Screen::Register(rs) => register::draw(frame, app, rs, body),
    }
    if let Some(m) = &app.message {
        let style = if m.error {
            app.theme.error()
        } else {
            app.theme.ok()
        };
        let (mark, style) = match (m.error, m.plain) {
            (true, _) => ("✗ ", style),
            (false, true) => ("  ", Style::new()),
            (false, false) => ("✓ ", style),
        };
        let lines: Vec<Line> = message_lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                Line::from(vec![
                    Span::styled(if i == 0 { mark } else { "  " }, style),
                    Span::styled(l, style),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), message);
    }
    draw_footer(frame, app, footer);
    overlay::draw(frame, app, area);
}

fn draw_footer(frame: &mut Frame, app: &App, area: Rect) {
    let line = match (&app.overlay, &app.screen) {
        // A signed review takes no item changes: offer what it does take.
        (None, Screen::Review(rs)) if signed(app, rs) => {
            let keys: Vec<&Binding> = keymap::REVIEW
                .iter()
                .filter(|b| {
                    matches!(
                        b.action,
                        Action::Reopen | Action::Export | Action::Help | Action::Back
                    )
                })
                .collect();
            spans_of(app, &keys)
        }
        _ => keys_line(app, keymap::bindings(app), area.width),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn signed(app: &App, rs: &ReviewScreen) -> bool {
    let org = &app.checklists[rs.org].organisation.id;
    app.review(org, rs.period).signature.is_some()
}

/// The footer's keys: every binding marked for it when they fit in `width`, else only those
/// marked [`Footer::Always`].
pub fn keys_line(app: &App, bindings: &[Binding], width: u16) -> Line<'static> {
    let line = |filter: &dyn Fn(&Binding) -> bool| {
        let chosen: Vec<&Binding> = bindings.iter().filter(|b| filter(b)).collect();
        spans_of(app, &chosen)
    };
    let all = line(&|b| b.footer != Footer::No);
    if all.width() <= width as usize {
        all
    } else {
        line(&|b| b.footer == Footer::Always)
    }
}

fn too_small(frame: &mut Frame, app: &App, area: Rect) {
    // Say only what is true: keys wait while the screen is too small (see `keymap`), and q
    // quits only from the overview; elsewhere it would be a letter in a hidden field.
    let what = if app.overlay.is_none() && matches!(app.screen, Screen::Dashboard) {
        app.lang.pick(
            "Gør vinduet større, eller tast q for at afslutte.",
            "Enlarge the window, or press q to quit.",
        )
    } else {
        app.lang.pick(
            "Gør vinduet større for at fortsætte; intet er tabt, og taster venter så længe.",
            "Enlarge the window to go on; nothing is lost, and keys wait until then.",
        )
    };
    let text = format!(
        "{} ({}×{}).\n{} {MIN_WIDTH}×{MIN_HEIGHT}.\n\n{what}",
        app.lang
            .pick("Terminalen er for lille", "The terminal is too small"),
        area.width,
        area.height,
        app.lang
            .pick("aarshjul skal bruge mindst", "aarshjul needs at least"),
    );
    let lines = text
        .lines()
        .map(|l| wrap(l, area.width as usize).len())
        .sum::<usize>() as u16;
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(lines),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        mid,
    );
}

/// Keys and their short words, two spaces apart.
fn spans_of(app: &App, bindings: &[&Binding]) -> Line<'static> {
    let mut spans = Vec::new();
    for b in bindings {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(b.shown, app.theme.key()));
        spans.push(Span::raw(format!(" {}", b.short(app.lang))));
    }
    Line::from(spans)
}

/// A bordered input field: the editor with its cursor when focused, its text otherwise.
pub fn field(
    frame: &mut Frame,
    app: &App,
    area: Rect,
    label: &str,
    input: &TextArea,
    focused: bool,
    base: Style,
) {
    let style = if focused {
        app.theme.key()
    } else {
        app.theme.dim()
    };
    let block = Block::bordered()
        .border_style(style)
        .title(format!(" {label} "));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if focused {
        frame.render_widget(input, inner);
    } else {
        frame.render_widget(Paragraph::new(input.lines().join("\n")).style(base), inner);
    }
}

/// Word-wraps `text` to lines of at most `width` characters (a word longer than a line is
/// cut), for list rows that must show a whole title.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        loop {
            let used = line.chars().count();
            let len = word.chars().count();
            if used > 0 && used + 1 + len <= width {
                line.push(' ');
                line.push_str(&word);
                break;
            }
            if used == 0 && len <= width {
                line = word;
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A rectangle of at most `width` × `height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_words_whole_and_cuts_only_long_ones() {
        assert_eq!(
            wrap("Ryd op på SKGR-enhederne", 10),
            ["Ryd op på", "SKGR-enhed", "erne"]
        );
        assert_eq!(wrap("a b c", 3), ["a b", "c"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("æøå æøå", 3), ["æøå", "æøå"]);
    }
}
