//! The staff-meeting presentation: one section at a time, the title in block letters when the
//! screen has room, the text in a calm centred column; then the attendance form.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, LineGauge, Paragraph};
use tui_big_text::{BigText, PixelSize};

use crate::checklist::Section;
use crate::period::{Cadence, Period};
use crate::tui::app::App;
use crate::tui::view::{field, wrap};
use crate::tui::walkthrough::{ATTENDEES, DATE, DEPARTMENT, LEADER, Walkthrough, parse_date};

pub fn draw(frame: &mut Frame, app: &App, w: &Walkthrough, area: Rect) {
    let list = &app.checklists[w.org];
    let base = if w.high_contrast {
        let s = Style::new().add_modifier(Modifier::BOLD);
        if app.theme.color {
            s.fg(Color::White).bg(Color::Black)
        } else {
            s
        }
    } else {
        Style::new()
    };
    frame.render_widget(Block::new().style(base), area);
    let total = list.walkthrough.len();
    let [main, progress] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(area);
    if w.at_attendance(total) {
        attendance(frame, app, w, main, base);
    } else {
        section(
            frame,
            app,
            &list.walkthrough,
            w.step,
            main,
            base,
            w.high_contrast,
        );
    }
    let shown = (w.step + 1).min(total);
    let label = if w.at_attendance(total) {
        app.lang.pick("Fremmøde", "Attendance").to_string()
    } else {
        format!("{shown} / {total}")
    };
    let margin = area.width / 8;
    let [_, bar, _] = Layout::horizontal([
        Constraint::Length(margin),
        Constraint::Min(10),
        Constraint::Length(margin),
    ])
    .areas(progress);
    let bar = Rect { height: 1, ..bar };
    let ratio = shown as f64 / total.max(1) as f64;
    if app.theme.color && !w.high_contrast {
        frame.render_widget(
            LineGauge::default()
                .ratio(ratio)
                .label(Span::styled(format!("{label}  "), base))
                .filled_style(Style::new().fg(Color::Cyan))
                .unfilled_style(Style::new().fg(Color::DarkGray)),
            bar,
        );
    } else {
        // Without colour the filled and the empty part must differ in shape.
        let label = format!("{label}  ");
        let room = (bar.width as usize).saturating_sub(label.chars().count());
        let filled = (room as f64 * ratio).round() as usize;
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("{label}{}{}", "█".repeat(filled), "░".repeat(room - filled)),
                base,
            )),
            bar,
        );
    }
}

/// Block-letter sizes, largest first: the size, and columns and rows per letter.
const SIZES: [(PixelSize, usize, u16); 3] = [
    (PixelSize::Full, 8, 8),
    (PixelSize::HalfHeight, 8, 4),
    (PixelSize::Quadrant, 4, 4),
];

/// `title` wrapped for block letters of `SIZES[size]`, with its height, when it fits the
/// width and a third of the height.
fn fit(title: &str, size: usize, width: u16, height: u16) -> Option<(Vec<String>, u16)> {
    let (_, cols, rows) = SIZES[size];
    let per_line = (width as usize * 9 / 10) / cols;
    if per_line == 0
        || title
            .split_whitespace()
            .any(|w| w.chars().count() > per_line)
    {
        return None;
    }
    let lines = wrap(title, per_line);
    let h = lines.len() as u16 * rows;
    (h <= height / 3).then_some((lines, h))
}

/// One title style for the whole presentation: the largest block-letter size every
/// section's title fits; `None` when some title fits none (then every title is drawn in
/// bold capitals), so the style never jumps from one section to the next.
fn presentation_size(sections: &[Section], width: u16, height: u16) -> Option<usize> {
    (0..SIZES.len()).find(|&size| {
        sections
            .iter()
            .all(|s| fit(&s.title, size, width, height).is_some())
    })
}

fn section(
    frame: &mut Frame,
    app: &App,
    sections: &[Section],
    step: usize,
    area: Rect,
    base: Style,
    contrast: bool,
) {
    let s = &sections[step];
    let margin = (area.width / 8).max(2);
    let inner = Rect {
        x: area.x + margin,
        y: area.y + 1,
        width: area.width.saturating_sub(2 * margin),
        height: area.height.saturating_sub(1),
    };
    let title_style = if app.theme.color && !contrast {
        base.fg(Color::LightCyan)
    } else {
        base
    };
    let big = presentation_size(sections, inner.width, inner.height).and_then(|size| {
        let (lines, h) = fit(&s.title, size, inner.width, inner.height)?;
        Some((SIZES[size].0, lines, h))
    });
    let (title_height, big) = match big {
        Some((size, lines, h)) => (h, Some((size, lines))),
        None => (wrap(&s.title, inner.width as usize).len() as u16 + 1, None),
    };
    // The text: a centred column no wider than reads comfortably, with air between lines
    // when there is room; title and text together centred vertically.
    let column = inner.width.min(90);
    let rows: Vec<Vec<String>> = s
        .text
        .lines()
        .map(|l| wrap(l.trim(), column as usize))
        .filter(|r| !r.iter().all(|l| l.is_empty()))
        .collect();
    let needed: usize = rows.iter().map(Vec::len).sum();
    let room = inner.height.saturating_sub(title_height + 1) as usize;
    let airy = needed + rows.len().saturating_sub(1) <= room;
    let text_height = (needed
        + if airy {
            rows.len().saturating_sub(1)
        } else {
            0
        }) as u16;
    let top = inner.height.saturating_sub(title_height + 1 + text_height) / 2;
    let inner = Rect {
        y: inner.y + top,
        height: inner.height - top,
        ..inner
    };
    let [title_area, _, text_area] = Layout::vertical([
        Constraint::Length(title_height),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    match big {
        Some((size, lines)) => frame.render_widget(
            BigText::builder()
                .pixel_size(size)
                .style(title_style)
                .lines(lines.into_iter().map(Line::from).collect::<Vec<_>>())
                .centered()
                .build(),
            title_area,
        ),
        None => {
            let mut lines: Vec<Line> = wrap(&s.title.to_uppercase(), title_area.width as usize)
                .into_iter()
                .map(|l| Line::styled(l, title_style.add_modifier(Modifier::BOLD)))
                .collect();
            lines.push(Line::styled(
                "━".repeat(s.title.chars().count().min(title_area.width as usize)),
                title_style,
            ));
            frame.render_widget(
                Paragraph::new(lines).alignment(Alignment::Center),
                title_area,
            );
        }
    }
    let mut lines = Vec::new();
    for (i, para) in rows.into_iter().enumerate() {
        if i > 0 && airy {
            lines.push(Line::raw(""));
        }
        lines.extend(para.into_iter().map(|l| Line::styled(l, base)));
    }
    let column = column.min(text_area.width);
    let x = text_area.x + (text_area.width - column) / 2;
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            x,
            width: column,
            ..text_area
        },
    );
}

fn attendance(frame: &mut Frame, app: &App, w: &Walkthrough, area: Rect, base: Style) {
    let lang = app.lang;
    let list = &app.checklists[w.org];
    let width = area.width.min(90);
    let area = Rect {
        x: area.x + (area.width - width) / 2,
        width,
        ..area
    };
    let year = parse_date(&w.value(DATE)).map(|d| Period::containing(Cadence::Yearly, d));
    let evidence = match (list.walkthrough_item(), year) {
        (Some(item), Some(p)) => format!(
            "{} »{}« ({})",
            lang.pick("Registreres som dokumentation for", "Recorded as evidence for"),
            item.title,
            p.review_title(lang)
        ),
        (Some(item), None) => format!(
            "{} »{}«",
            lang.pick("Registreres som dokumentation for", "Recorded as evidence for"),
            item.title
        ),
        (None, _) => lang
            .pick(
                "Tjeklisten har intet punkt med walkthrough = true; mødet registreres alene.",
                "The checklist has no item with walkthrough = true; the meeting is recorded on its own.",
            )
            .to_string(),
    };
    let count = w.attendees().len();
    let [head, date, dept, leader, people] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Length(3),
        Constraint::Min(4),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(
                format!(
                    "{} — {}",
                    lang.pick(
                        "Fremmøde ved personalemødet",
                        "Attendance at the staff meeting"
                    ),
                    list.organisation.name
                ),
                base.add_modifier(Modifier::BOLD),
            ),
            Line::styled(evidence, base),
            Line::styled(
                lang.pick(
                    "Skriv deltagerne én pr. linje (eller indsæt en liste).",
                    "Write the attendees one per line (or paste a list).",
                ),
                base,
            ),
        ])
        .wrap(ratatui::widgets::Wrap { trim: true }),
        head,
    );
    let labels = [
        (
            DATE,
            date,
            lang.pick("Dato (ÅÅÅÅ-MM-DD)", "Date (YYYY-MM-DD)")
                .to_string(),
        ),
        (
            DEPARTMENT,
            dept,
            lang.pick("Sted / afdeling", "Place / department")
                .to_string(),
        ),
        (LEADER, leader, lang.pick("Mødeleder", "Led by").to_string()),
        (
            ATTENDEES,
            people,
            format!(
                "{} ({count})",
                lang.pick("Deltagere, én pr. linje", "Attendees, one per line")
            ),
        ),
    ];
    for (i, rect, label) in labels {
        field(frame, app, rect, &label, &w.fields[i], i == w.focus, base);
    }
}
