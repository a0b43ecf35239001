//! Colours and marks. Every state is readable from its mark and word alone, so `NO_COLOR`
//! (https://no-color.org) only drops colour, never meaning.

use ratatui::style::{Color, Modifier, Style};

use crate::review::{Outcome, ReviewState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty.
    pub fn from_env(no_color: Option<String>) -> Theme {
        Theme {
            color: no_color.is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn state(self, s: ReviewState) -> Style {
        match s {
            ReviewState::Overdue => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            ReviewState::InProgress => self.fg(Color::Yellow),
            ReviewState::NotStarted => self.fg(Color::Cyan),
            ReviewState::Signed => self.fg(Color::Green),
            ReviewState::Upcoming | ReviewState::BeforeAdoption => self.fg(Color::DarkGray),
        }
    }

    pub fn outcome(self, o: Option<Outcome>) -> Style {
        match o {
            Some(Outcome::Done) => self.fg(Color::Green),
            Some(Outcome::NotApplicable) => self.fg(Color::Gray),
            Some(Outcome::Deviation) => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            None => Style::new(),
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::White).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::Gray)
        } else {
            Style::new()
        }
    }

    pub fn key(self) -> Style {
        self.fg(Color::LightCyan).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.fg(Color::LightYellow).add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
    }

    pub fn ok(self) -> Style {
        self.fg(Color::LightGreen)
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}

/// The mark of a review state: "✓ signed", "! overdue", …
pub fn state_mark(s: ReviewState) -> &'static str {
    match s {
        ReviewState::Overdue => "!",
        ReviewState::InProgress => "◑",
        ReviewState::NotStarted => "○",
        ReviewState::Signed => "✓",
        ReviewState::Upcoming => "·",
        ReviewState::BeforeAdoption => "–",
    }
}

/// The mark of an item's outcome, in brackets: "[✓]", "[–]", "[!]", "[ ]".
pub fn outcome_mark(o: Option<Outcome>) -> &'static str {
    match o {
        Some(Outcome::Done) => "[✓]",
        Some(Outcome::NotApplicable) => "[–]",
        Some(Outcome::Deviation) => "[!]",
        None => "[ ]",
    }
}
