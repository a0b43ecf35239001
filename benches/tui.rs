//! Keypress → update → full render of the review screen (100×30), on the larger shipped
//! checklist's yearly review with every item recorded (goal: well under 1 ms); and start-up
//! to the first frame (goal: well under 100 ms).

use std::hint::black_box;
use std::path::Path;

use aarshjul::checklist::load_dir;
use aarshjul::i18n::Lang;
use aarshjul::period::{Cadence, Period};
use aarshjul::review::{Change, Event, Outcome};
use aarshjul::tui::app::{App, ReviewScreen, Screen, update};
use aarshjul::tui::keymap::keymap;
use aarshjul::tui::theme::Theme;
use aarshjul::tui::view;
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn review_screen(c: &mut Criterion) {
    let lists = load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists"),
        Lang::Da,
    )
    .unwrap();
    let (org, list) = lists
        .iter()
        .enumerate()
        .max_by_key(|(_, l)| l.items.len())
        .unwrap();
    let period: Period = "2026".parse().unwrap();
    let events: Vec<Event> = list
        .items_of(period.cadence())
        .enumerate()
        .map(|(n, item)| Event {
            seq: n as i64 + 1,
            at: "2026-11-22T10:00:00Z".parse().unwrap(),
            org: list.organisation.id.clone(),
            period,
            change: Change::ItemSigned {
                item: item.id.clone(),
                status: Outcome::Done,
                note: Some("Gennemgået; intet at bemærke.\nAnden linje af noten.".into()),
                by: "Henriette Salmon".into(),
                fingerprint: item.fingerprint(),
                text: Some(Box::new(item.text())),
            },
        })
        .collect();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut app = App::new(
        lists.clone(),
        events,
        Lang::Da,
        Theme { color: true },
        today,
    );
    app.screen = Screen::Review(ReviewScreen {
        org,
        period,
        selected: 0,
        scroll: 0,
    });
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut down = true;
    c.bench_function("keypress → update → render review 100x30", |b| {
        b.iter(|| {
            let code = if down { KeyCode::Down } else { KeyCode::Up };
            if let Screen::Review(rs) = &app.screen {
                if rs.selected == 0 {
                    down = true;
                } else if rs.selected + 1 >= list.items_of(period.cadence()).count() {
                    down = false;
                }
            }
            if let Some(action) = keymap(&app, KeyEvent::new(code, KeyModifiers::NONE)) {
                black_box(update(&mut app, action));
            }
            terminal.draw(|f| view::draw(f, &app)).unwrap();
        })
    });
}

/// Start-up as the binary does it: load the checklists, open the database (a year's worth of
/// events), read every event, and draw the first frame of the dashboard at 100×30.
fn first_frame(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("aarshjul.sqlite");
    let checklists = Path::new(env!("CARGO_MANIFEST_DIR")).join("checklists");
    let lists = load_dir(&checklists, Lang::Da).unwrap();
    let mut store = aarshjul::store::Store::open(&db).unwrap();
    // Every monthly, quarterly and half-yearly review of 2026 recorded, item by item.
    for list in &lists {
        for cadence in [Cadence::Monthly, Cadence::Quarterly, Cadence::HalfYearly] {
            for period in Period::all_in_year(cadence, 2026) {
                for item in list.items_of(cadence) {
                    let change = Change::ItemSigned {
                        item: item.id.clone(),
                        status: Outcome::Done,
                        note: Some("Gennemgået; intet at bemærke.".into()),
                        by: "Henriette Salmon".into(),
                        fingerprint: item.fingerprint(),
                        text: Some(Box::new(item.text())),
                    };
                    store
                        .append(
                            &list.organisation.id,
                            period,
                            "2026-11-22T10:00:00Z".parse().unwrap(),
                            |_| Ok(change),
                        )
                        .unwrap();
                }
            }
        }
    }
    drop(store);
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    c.bench_function(
        "start: load checklists, read events, first frame 100x30",
        |b| {
            b.iter(|| {
                let lists = load_dir(&checklists, Lang::Da).unwrap();
                let store = aarshjul::store::Store::open(&db).unwrap();
                let events = store.all_events().unwrap();
                let app = App::new(lists, events, Lang::Da, Theme { color: true }, today);
                let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
                terminal.draw(|f| view::draw(f, &app)).unwrap();
                black_box(terminal.backend().buffer().area);
            })
        },
    );
}

criterion_group!(benches, review_screen, first_frame);
criterion_main!(benches);
