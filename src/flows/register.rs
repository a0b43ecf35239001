//! The use case "record a change to the register of data-subject requests", shared by the
//! command line and the terminal UI: the rules of [`Register::check`] run again inside the
//! store's write transaction, against every event of the organisation as it stands there.

use chrono::{DateTime, Utc};

use crate::checklist::Checklist;
use crate::period::local_date;
use crate::request::{self, Register};
use crate::review::{Change, Event, Refusal};
use crate::store::{Store, StoreError};

/// The register of one organisation, as the store holds it now.
pub fn load(store: &Store, list: &Checklist) -> Result<Register, StoreError> {
    let events = store.org_events(&list.organisation.id)?;
    Ok(Register::from_events(&list.organisation.id, &events))
}

/// Appends one request change for `list`'s organisation at `now`, under the yearly period
/// of the request's receipt. Refused (nothing written) when a rule says no.
pub fn record(
    store: &mut Store,
    list: &Checklist,
    now: DateTime<Utc>,
    change: Change,
) -> Result<Event, StoreError> {
    let org = &list.organisation.id;
    let reference = request::reference_of(&change)
        .ok_or(Refusal::Empty { what: "reference" })?
        .to_string();
    // The period: the year received, from the change itself or from the request's first event.
    let received = match &change {
        Change::RequestReceived(r) => r.received,
        _ => {
            let register = load(store, list)?;
            match register.get(&reference) {
                Some(r) => r.received,
                None => return Err(Refusal::from(request::Refusal::Unknown { reference }).into()),
            }
        }
    };
    let period = request::period_of(received);
    let today = local_date(now);
    store.append_to_register(org, period, now, |events| {
        Register::from_events(org, events).check(today, &change)?;
        Ok(change)
    })
}
