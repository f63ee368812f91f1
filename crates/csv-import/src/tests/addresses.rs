//! More than one address per person (current and previous), each with its own
//! postcode column; blank ones left out.

use super::{check_error, header_errors, reasons, rows};

const TWO_ADDRESSES: &str = r#"agency = "NCS"
source_system = "TEST-CASES"
source_id = "Id"
kind = "note"
occurred_at = "When"

[[people]]
role = "subject_child"
name = "Name"
addresses = [
  { columns = ["Address", "Town"], postcode = "Postcode" },
  { columns = ["Previous Address", "Previous Town"], postcode = "Previous Postcode" },
]
"#;

const HEADER: &str =
    "Id,When,Name,Address,Town,Postcode,Previous Address,Previous Town,Previous Postcode\n";

fn read(rows_text: &str) -> Vec<crate::CsvRow> {
    rows(TWO_ADDRESSES, format!("{HEADER}{rows_text}").as_bytes())
}

#[test]
fn both_addresses_are_kept_in_order_each_with_its_postcode() {
    let read = read(
        "1,2024-03-05,\"SMITH, Ann\",14 Quillfield Road,Northborough,QN4 7XJ,7 Ventnor Walk,Northborough,QN2 9ZB\n",
    );
    let addresses = &read[0].outcome.as_ref().unwrap().people[0].addresses;
    assert_eq!(addresses.len(), 2);
    assert_eq!(addresses[0].as_recorded, "14 Quillfield Road, Northborough");
    assert_eq!(
        addresses[0].postcode.as_ref().unwrap().to_string(),
        "QN4 7XJ"
    );
    assert_eq!(addresses[1].as_recorded, "7 Ventnor Walk, Northborough");
    assert_eq!(
        addresses[1].postcode.as_ref().unwrap().to_string(),
        "QN2 9ZB"
    );
}

#[test]
fn a_blank_address_is_left_out() {
    let read = read(
        "1,2024-03-05,\"SMITH, Ann\",14 Quillfield Road,Northborough,QN4 7XJ,,,\n\
         2,2024-03-05,\"SMITH, Ann\",,,,7 Ventnor Walk,,\n\
         3,2024-03-05,\"SMITH, Ann\",,,,,,\n",
    );
    let people: Vec<_> = read
        .iter()
        .map(|row| &row.outcome.as_ref().unwrap().people[0])
        .collect();
    assert_eq!(people[0].addresses.len(), 1);
    assert_eq!(people[1].addresses.len(), 1);
    assert_eq!(people[1].addresses[0].as_recorded, "7 Ventnor Walk");
    assert!(people[2].addresses.is_empty());
}

#[test]
fn a_bad_previous_postcode_is_named_by_its_own_column() {
    let read = read(
        "1,2024-03-05,\"SMITH, Ann\",14 Quillfield Road,Northborough,QN4 7XJ,7 Ventnor Walk,Northborough,QN2 9Z\n\
         2,2024-03-05,\"SMITH, Ann\",,,,7 Ventnor Walk,Northborough,QN2 9Z\n",
    );
    // The previous address is the person's second address in one row and their first
    // in the other; the column is named either way.
    for row in &read {
        let reasons = reasons(row);
        assert_eq!(reasons.len(), 1, "{reasons:#?}");
        assert!(
            reasons[0]
                .starts_with(r#"column "Previous Address + Previous Town + Previous Postcode": "#),
            "{reasons:#?}"
        );
    }
}

#[test]
fn addresses_may_be_lists_of_columns() {
    let mapping = TWO_ADDRESSES.replace(
        r#"  { columns = ["Address", "Town"], postcode = "Postcode" },
  { columns = ["Previous Address", "Previous Town"], postcode = "Previous Postcode" },"#,
        r#"  ["Address", "Town", "Postcode"],
  ["Previous Address", "Previous Town", "Previous Postcode"],"#,
    );
    let read = rows(
        &mapping,
        format!("{HEADER}1,2024-03-05,A B,1 Ash Row,Northborough,QN1 1AA,2 Elm Row,,\n").as_bytes(),
    );
    let addresses = &read[0].outcome.as_ref().unwrap().people[0].addresses;
    assert_eq!(addresses.len(), 2);
    assert_eq!(addresses[0].as_recorded, "1 Ash Row, Northborough, QN1 1AA");
    assert_eq!(addresses[1].as_recorded, "2 Elm Row");
}

#[test]
fn an_address_of_a_postcode_alone() {
    let mapping = TWO_ADDRESSES.replace(
        r#"{ columns = ["Previous Address", "Previous Town"], postcode = "Previous Postcode" }"#,
        r#"{ postcode = "Previous Postcode" }"#,
    );
    let read = rows(
        &mapping,
        format!("{HEADER}1,2024-03-05,A B,,,,,,QN2 9ZB\n").as_bytes(),
    );
    let addresses = &read[0].outcome.as_ref().unwrap().people[0].addresses;
    assert_eq!(addresses.len(), 1);
    assert_eq!(
        addresses[0].postcode.as_ref().unwrap().to_string(),
        "QN2 9ZB"
    );
}

#[test]
fn addresses_and_address_together_are_refused() {
    let mapping = TWO_ADDRESSES.replace("addresses = [", "postcode = \"Postcode\"\naddresses = [");
    check_error(&mapping, 11, "people[0].addresses", "not both");
}

#[test]
fn an_address_with_nothing_to_read_is_refused() {
    let mapping = TWO_ADDRESSES.replace(
        r#"{ columns = ["Previous Address", "Previous Town"], postcode = "Previous Postcode" }"#,
        "{ columns = [] }",
    );
    check_error(
        &mapping,
        12,
        "people[0].addresses[1]",
        "needs `columns`, `postcode` or both",
    );
}

#[test]
fn an_empty_list_of_addresses_is_refused() {
    let mapping = format!(
        "{}addresses = []\n",
        TWO_ADDRESSES.split("addresses = [").next().unwrap()
    );
    check_error(&mapping, 10, "people[0].addresses", "list each address");
}

#[test]
fn an_unknown_key_in_an_address_is_refused_with_its_line() {
    let mapping = TWO_ADDRESSES.replace(
        r#"postcode = "Previous Postcode""#,
        r#"post_code = "Previous Postcode""#,
    );
    check_error(&mapping, 12, "the mapping", "unknown field `post_code`");
}

#[test]
fn a_previous_address_column_missing_from_the_header_is_named_by_its_key() {
    let errors = header_errors(
        TWO_ADDRESSES,
        "Id,When,Name,Address,Town,Postcode,Previous Address,Previous Postcode\n",
    );
    assert!(
        errors.contains(
            r#"line 12, people[0].addresses[1]: column "Previous Town" is not in the file's header"#
        ),
        "{errors}"
    );
}
