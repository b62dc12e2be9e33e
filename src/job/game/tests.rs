//! Tests of reading plain games: the CSV form, inline weights, exact scaling of weights and quotas, and the errors.

use super::*;

fn r(s: &str) -> Ratio {
    s.parse().unwrap()
}

fn parse(text: &str) -> Result<Vec<GameMember>, GameError> {
    parse_file("g.csv", text.as_bytes())
}

fn game(text: &str, quota: Quota) -> Result<PlainGame, GameError> {
    let members = parse(text)?;
    PlainGame::new(
        GameSource::File {
            path: "g.csv".into(),
            sha256: String::new(),
        },
        members,
        quota,
    )
}

#[test]
fn a_file_with_comments_names_and_quotes() {
    let text = "\u{feff}# source\r\nname, weight ,member\r\n\n\"Korea, Republic of\",2.5,KR\r\n# note\nFrance, 4 , FR\n";
    let m = parse(text).unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].id, "KR");
    assert_eq!(m[0].name.as_deref(), Some("Korea, Republic of"));
    assert_eq!(m[0].weight, r("2.5"));
    assert_eq!(m[1].id, "FR");
    assert_eq!(m[1].weight, r("4"));
}

#[test]
fn weights_and_quota_are_scaled_exactly() {
    let g = game(
        "member,weight\nA,2.5\nB,0.25\nC,4\n",
        Quota::Absolute(r("77/20")),
    )
    .unwrap();
    assert_eq!(g.scale, 100);
    assert_eq!(g.scaled_weights, vec![250, 25, 400]);
    // 77/20 = 3.85: 385 of the scaled weights.
    assert_eq!(g.scaled_quota, 385);
    assert_eq!(g.total_weight(), "6.75");
    // A share of the total, rounded up: 2/3 of 675 is 450 exactly.
    let g = game(
        "member,weight\nA,2.5\nB,0.25\nC,4\n",
        Quota::Share(r("2/3")),
    )
    .unwrap();
    assert_eq!(g.scaled_quota, 450);
    assert_eq!(g.winning_weight(), "4.5");
    // 39/45 of 45 is 39: the boundary is reached, not missed.
    let unsc = (0..15)
        .map(|i| format!("M{i},{}\n", if i < 5 { 7 } else { 1 }))
        .collect::<String>();
    let g = game(&format!("member,weight\n{unsc}"), Quota::Share(r("39/45"))).unwrap();
    assert_eq!(g.scaled_quota, 39);
    let g = game(
        &format!("member,weight\n{unsc}"),
        Quota::Absolute(r("38.5")),
    )
    .unwrap();
    assert_eq!(g.scaled_quota, 39);
    // Five permanent members (35) and four elected (4) win; three elected do not.
    assert!(g.wins((1 << 9) - 1));
    assert!(!g.wins((1 << 8) - 1));
}

#[test]
fn inline_weights_are_members_one_to_n() {
    let g = PlainGame::load("4, 4,4,2,2,1", Quota::Absolute(r("12"))).unwrap();
    let ids: Vec<&str> = g.members.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(g.label(), INLINE_LABEL);
    let e = PlainGame::load("4,x4", Quota::Absolute(r("1"))).unwrap_err();
    // Not a list of numbers: read as a file name, which does not exist.
    assert!(e.to_string().contains("x4"), "{e}");
    let e = PlainGame::load("4,,1", Quota::Absolute(r("1"))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "--weights:1:3: weight 2: empty; expected a non-negative decimal number such as 7 or 2.5"
    );
    assert!(is_inline("7,7,1") && !is_inline("game.csv") && !is_inline(","));
}

#[test]
fn bad_files_are_named_with_line_column_and_field() {
    let cases: [(&str, &str); 12] = [
        ("", "g.csv: the file is empty"),
        ("# only a comment\n", "g.csv: the file is empty"),
        ("member,wieght\n", "g.csv:1:8: unknown column `wieght`"),
        (
            "member,name\n",
            "g.csv:1:1: the header has no `weight` column",
        ),
        (
            "member,weight,member\n",
            "g.csv:1:15: the column `member` is named twice",
        ),
        (
            "member,weight\nA,1\nB,1,3\n",
            "g.csv:3:5: 3 fields; expected 2",
        ),
        (
            "member,weight\nA,-1\n",
            "g.csv:2:3: weight: `-1` is not an exact non-negative decimal",
        ),
        (
            "member,weight\nA,1e3\n",
            "g.csv:2:3: weight: `1e3` is not an exact",
        ),
        (
            "member,weight\nA,1/2\n",
            "g.csv:2:3: weight: `1/2`: a weight is a decimal number",
        ),
        (
            "member,weight\nA,1\n B ,2\nB,3\n",
            "g.csv:4:1: member: `B` is already a member (line 3)",
        ),
        ("member,weight\n,1\n", "g.csv:2:1: member: empty"),
        (
            "member,weight\n\"A,1\n",
            "g.csv:2:1: a quote `\"` is not closed",
        ),
    ];
    for (text, expected) in cases {
        let e = parse(text).unwrap_err().to_string();
        assert!(
            e.starts_with(expected),
            "{text:?}:\n{e}\nexpected {expected}"
        );
    }
    let e = parse("member,wieght\n").unwrap_err();
    assert_eq!(e.help.as_deref(), Some("did you mean `weight`?"));
    let e = parse_file("g.csv", b"member,weight\nA,\xff\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "g.csv:2:3: the file is not UTF-8 text; save it as UTF-8"
    );
    let e = parse_file("g.csv", b"member,weight\0\n").unwrap_err();
    assert!(e.to_string().contains("not text"), "{e}");
}

#[test]
fn quotas_that_no_coalition_or_every_coalition_reaches_are_refused() {
    let text = "member,weight\nA,1\nB,2\n";
    let e = game(text, Quota::Absolute(r("3.5"))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "--quota: `3.5` is more than the total weight, 3: no coalition could win"
    );
    let e = game(text, Quota::Absolute(r("0"))).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("--quota: `0`: the quota must be more than 0"),
        "{e}"
    );
    let e = game(text, Quota::Share(r("3/2"))).unwrap_err();
    assert!(
        e.to_string().starts_with("--share: `3/2`: a share must be"),
        "{e}"
    );
    let e = game("member,weight\nA,0\n", Quota::Share(r("1/2"))).unwrap_err();
    assert!(e.to_string().contains("every weight is 0"), "{e}");
    // The whole total is a valid quota: unanimity of the weighted members.
    assert_eq!(game(text, Quota::Absolute(r("3"))).unwrap().scaled_quota, 3);
}

#[test]
fn quota_labels() {
    assert_eq!(Quota::Absolute(r("39")).to_string(), "quota:39");
    assert_eq!(Quota::Share(r("2/3")).to_string(), "share:2/3");
    assert_eq!(scaled_ratio(385, 100), "3.85");
    assert_eq!(scaled_ratio(400, 100), "4");
    assert_eq!(scaled_ratio(5, 100), "0.05");
}
