//! Organisation pages: list with search and filters, view, add, edit. What the pages share
//! (a row in a list, kind labels) is here; each page is in its own file.

pub mod form;
pub mod list;
pub mod show;

use domain::OrgKind;
use services::org::Organisation;

use crate::view::thousands;

pub struct Row {
    pub id: i32,
    pub name: String,
    pub kind: &'static str,
    pub code: String,
    pub list_size: String,
    pub closed: bool,
}

fn kind_label(kind: &str) -> &'static str {
    kind.parse::<OrgKind>()
        .map(OrgKind::label)
        .unwrap_or("Organisation")
}

fn row(o: Organisation) -> Row {
    Row {
        id: o.id,
        kind: kind_label(&o.kind),
        code: o.ods_code.unwrap_or_default(),
        list_size: o.list_size.map(|n| thousands(n.into())).unwrap_or_default(),
        closed: o.status == "closed",
        name: o.name,
    }
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}
