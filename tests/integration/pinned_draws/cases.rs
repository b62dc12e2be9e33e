//! The pinned cases: the base scenario, the posterior sample, and for each
//! case what it changes in the scenario, its extra arguments and its pin.

/// The base scenario: every parameter fixed. Runs spread over all four
/// levels (about 12%, 29%, 32% and 27% of runs), and every member but the
/// requester votes each way, so a change in any draw shows in the counts.
pub const BASE: &str = r#"[alliance]
name = "Pinned draws"
hegemon = "H"
capacity = 0.5
regions = ["r", "s"]
crisis_types = ["t", "u"]

[alliance.outsiders]
X = "Outsider"

[members.H]
region = "r"
military_spending = 20
gdp = 50
population = 140000
sovereignty = 0.2
vulnerability = 0.4
threat = { t = 0.5 }
concern = { r = 0.7 }
affinity = { A = 0.6, B = 0.3, C = 0.2, D = 0.4, X = 0.3 }

[members.A]
region = "r"
military_spending = 2
gdp = 8
population = 19000
dependence = 0.4
sovereignty = 0.6
vulnerability = 0.6
threat = { t = 0.8 }
concern = { r = 1 }
affinity = { H = 0.6, B = 0.2, X = -0.5 }

[members.B]
region = "r"
military_spending = 1
gdp = 4
population = 9000
dependence = 0.5
sovereignty = 0.7
vulnerability = 0.5
threat = { t = 0.4 }
concern = { r = 0.6 }
affinity = { A = 0.3, X = 0.2 }

[members.C]
region = "s"
military_spending = 1.5
gdp = 5
population = 3000
dependence = 0.3
sovereignty = 0.5
vulnerability = 0.3
threat = { t = 0.6 }
concern = { r = 0.5 }
affinity = { A = -0.2, X = 0.4 }

[members.D]
region = "s"
military_spending = 0.5
gdp = 2
population = 7000
dependence = 0.7
sovereignty = 0.8
vulnerability = 0.7
threat = { t = 0.7 }
concern = { r = 0.8 }
affinity = { A = 0.5, X = -0.1 }

[crisis]
requester = "A"
adversary = "X"
type = "t"
region = "r"
requested = "deploy"
severity = 0.6
domestic = 0.5
framing = 0.5
contagion = 0.4
legal_fit = 0.7
legitimacy = 0.6
credibility = 0.5
combat_risk = 0.3

[[options]]
id = "statement"
effect = 0.2
troops = 0
intrusion = 0

[[options]]
id = "monitoring"
effect = 0.4
troops = 0.1
intrusion = 0.2

[[options]]
id = "deploy"
effect = 0.8
troops = 0.5
intrusion = 0.6

[montecarlo]
noise = 0.15
"#;

/// A posterior sample of four draws: noise, a crisis parameter (a
/// distribution in some cases), a weight of every member, a member's
/// judgement, an affinity and an amount a weighted rule counts; the last
/// column names no member of the scenario and is skipped.
pub const POSTERIOR: &str = "draw,noise,crisis.severity,members.*.weights.cost,\
members.C.sovereignty,members.H.affinity.X,members.H.military_spending,members.ZZ.dependence,log_likelihood
0,0.1,0.5,1,0.5,0.3,20,0.5,-10.5
1,0.2,0.7,1.5,0.7,0.1,12,0.4,-11
2,0.15,0.6,0.8,0.4,0.5,25.5,0.3,-12.25
3,0.12,0.65,1.2,0.6,0.2,17.25,0.2,-11.5
";

/// What a case's results must be.
pub enum Expect {
    /// This digest.
    Pin(&'static str),
    /// Exactly the digest of the named case.
    SameAs(&'static str),
}

/// One pinned case.
pub struct Case {
    /// Which test runs it.
    pub group: &'static str,
    /// Its name in messages.
    pub name: &'static str,
    /// (table, key, value) set in [`BASE`], in order (see `edit`).
    pub sets: Vec<(&'static str, &'static str, &'static str)>,
    /// Extra arguments to `run`.
    pub args: Vec<&'static str>,
    /// The expected results.
    pub expect: Expect,
}

type Set = (&'static str, &'static str, &'static str);

fn case(group: &'static str, name: &'static str, sets: &[Set], pin: &'static str) -> Case {
    Case {
        group,
        name,
        sets: sets.to_vec(),
        args: Vec::new(),
        expect: Expect::Pin(pin),
    }
}

impl Case {
    /// With extra arguments to `run`.
    fn args(mut self, args: &[&'static str]) -> Case {
        self.args = args.to_vec();
        self
    }

    /// With these settings first (then the case's own).
    fn over(mut self, first: &[Set]) -> Case {
        let own = std::mem::take(&mut self.sets);
        self.sets = first.iter().copied().chain(own).collect();
        self
    }

    /// Expected to give exactly the results of case `other`.
    fn same_as(mut self, other: &'static str) -> Case {
        self.expect = Expect::SameAs(other);
        self
    }
}

/// A distribution of every family on parameters of every kind: the
/// alliance, the crisis, a member scalar, a weight and an affinity.
const EVERY_FAMILY: &[Set] = &[
    (
        "alliance",
        "capacity",
        r#"{ dist = "uniform", lo = 0.2, hi = 0.8 }"#,
    ),
    (
        "crisis",
        "severity",
        r#"{ dist = "normal", mean = 0.6, sd = 0.2 }"#,
    ),
    (
        "crisis",
        "framing",
        r#"{ dist = "triangular", lo = 0, mode = 0.5, hi = 1 }"#,
    ),
    (
        "members.C",
        "sovereignty",
        r#"{ dist = "beta", a = 2, b = 2 }"#,
    ),
    (
        "members.B.weights",
        "cost",
        r#"{ dist = "normal", mean = 1, sd = 0.5, lo = 0, hi = 3 }"#,
    ),
    (
        "members.D",
        "affinity",
        r#"{ A = { dist = "triangular", lo = 0, mode = 0.5, hi = 1 }, X = -0.1 }"#,
    ),
];

/// Severity drawn: the simplest case of the path that draws parameters.
const SEVERITY: &[Set] = &[(
    "crisis",
    "severity",
    r#"{ dist = "normal", mean = 0.6, sd = 0.2 }"#,
)];

/// A distribution of `c` ± `w`, within [`lo`, `hi`], of the family after
/// the last one `turn` gave (normal, uniform, beta, triangular in turn).
fn around(turn: &mut usize, c: f64, w: f64, lo: f64, hi: f64) -> String {
    let (a, b) = ((c - w).max(lo), (c + w).min(hi));
    *turn += 1;
    match *turn % 4 {
        0 => format!(r#"{{ dist = "normal", mean = {c}, sd = {w}, lo = {a}, hi = {b} }}"#),
        1 => format!(r#"{{ dist = "uniform", lo = {a}, hi = {b} }}"#),
        2 => format!(r#"{{ dist = "beta", a = 2, b = 3, lo = {a}, hi = {b} }}"#),
        _ => format!(r#"{{ dist = "triangular", lo = {a}, mode = {c}, hi = {b} }}"#),
    }
}

/// Every parameter the model reads drawn at once, the families taking
/// turns, so that any change in the order of draws (not only in which are
/// made) changes the results.
fn every_parameter() -> Vec<Set> {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut turn = 0;
    let mut sets = Vec::new();
    let mut unit = |table: &'static str, key: &'static str, c: f64, sets: &mut Vec<Set>| {
        sets.push((table, key, leak(around(&mut turn, c, 0.1, 0.0, 1.0))));
    };
    unit("alliance", "capacity", 0.5, &mut sets);
    for (key, c) in [
        ("severity", 0.6),
        ("domestic", 0.5),
        ("framing", 0.5),
        ("contagion", 0.4),
        ("legal_fit", 0.7),
        ("legitimacy", 0.6),
        ("credibility", 0.5),
        ("combat_risk", 0.3),
    ] {
        unit("crisis", key, c, &mut sets);
    }
    for (table, e, t, s) in [
        ("options.statement", 0.2, 0.0, 0.0),
        ("options.monitoring", 0.4, 0.1, 0.2),
        ("options.deploy", 0.8, 0.5, 0.6),
    ] {
        sets.push((table, "effect", leak(around(&mut turn, e, 0.05, 0.05, 1.0))));
        sets.push((table, "troops", leak(around(&mut turn, t, 0.05, 0.0, 1.0))));
        sets.push((
            table,
            "intrusion",
            leak(around(&mut turn, s, 0.05, 0.0, 1.0)),
        ));
    }
    // id, spending, GDP, dependence, sovereignty, vulnerability, threat,
    // concern, affinity toward A and toward X and the other affinities, as
    // in BASE.
    let members = [
        (
            "H",
            20.0,
            50.0,
            0.0,
            0.2,
            0.4,
            0.5,
            0.7,
            0.6,
            0.3,
            "B = 0.3, C = 0.2, D = 0.4, ",
        ),
        (
            "A",
            2.0,
            8.0,
            0.4,
            0.6,
            0.6,
            0.8,
            1.0,
            1.0,
            -0.5,
            "H = 0.6, B = 0.2, ",
        ),
        ("B", 1.0, 4.0, 0.5, 0.7, 0.5, 0.4, 0.6, 0.3, 0.2, ""),
        ("C", 1.5, 5.0, 0.3, 0.5, 0.3, 0.6, 0.5, -0.2, 0.4, ""),
        ("D", 0.5, 2.0, 0.7, 0.8, 0.7, 0.7, 0.8, 0.5, -0.1, ""),
    ];
    for (id, ms, gdp, dep, sov, vul, thr, con, to_a, to_x, others) in members {
        let table = leak(format!("members.{id}"));
        let mut d = |c: f64, w: f64, lo: f64, hi: f64| around(&mut turn, c, w, lo, hi);
        sets.push((table, "military_spending", leak(d(ms, ms / 4.0, 0.0, 1e5))));
        sets.push((table, "gdp", leak(d(gdp, gdp / 4.0, 0.0, 1e5))));
        sets.push((table, "dependence", leak(d(dep, 0.1, 0.0, 1.0))));
        sets.push((table, "sovereignty", leak(d(sov, 0.1, 0.0, 1.0))));
        sets.push((table, "vulnerability", leak(d(vul, 0.1, 0.0, 1.0))));
        sets.push((table, "reservation", leak(d(0.0, 0.05, -10.0, 10.0))));
        sets.push((
            table,
            "threat",
            leak(format!("{{ t = {} }}", d(thr, 0.1, 0.0, 1.0))),
        ));
        sets.push((
            table,
            "concern",
            leak(format!("{{ r = {} }}", d(con, 0.1, 0.0, 1.0))),
        ));
        let toward_a = if id == "A" {
            String::new()
        } else {
            format!("A = {}, ", d(to_a, 0.2, -1.0, 1.0))
        };
        let toward_x = d(to_x, 0.2, -1.0, 1.0);
        sets.push((
            table,
            "affinity",
            leak(format!("{{ {others}{toward_a}X = {toward_x} }}")),
        ));
        let weights: Vec<String> = [
            "security",
            "regime",
            "partner",
            "credibility",
            "sovereignty",
            "cost",
            "external",
        ]
        .iter()
        .map(|w| format!("{w} = {}", d(1.0, 0.5, 0.0, 100.0)))
        .collect();
        sets.push((
            table,
            "weights",
            leak(format!("{{ {} }}", weights.join(", "))),
        ));
    }
    sets
}

/// Every pinned case.
pub fn all_cases() -> Vec<Case> {
    let mut v = crisis_and_option_cases();
    v.extend(member_cases());
    v.extend(rule_and_procedure_cases());
    v.extend(noise_and_posterior_cases());
    v.extend(every_parameter_cases());
    v
}

fn every_parameter_cases() -> Vec<Case> {
    let g = "every";
    let all = every_parameter();
    vec![
        case(g, "every parameter", &all, "levels 1315/787/1358/1540; rounds 10562; votes H:2839/1553/608/177 A:5000/0/0/0 B:3580/815/605/59 C:1213/3081/706/1710 D:4229/406/365/1; blocked H:1553 A:0 B:815 C:3081 D:406; runs.csv bd36690a41668fe1"),
        case(g, "every parameter, weighted:military", &all, "levels 330/383/1448/2839; rounds 7874; votes H:2839/1553/608/177 A:5000/0/0/0 B:3580/815/605/25 C:1213/3081/706/344 D:4229/406/365/1; blocked H:1553 A:0 B:709 C:1643 D:406; runs.csv 935d6d8066ebda07").args(&["--rule", "weighted:military:0.5"]),
        case(g, "every parameter, relative noise", &all, "levels 873/893/1692/1542; rounds 10224; votes H:2945/1339/716/123 A:5000/0/0/0 B:3905/432/663/26 C:740/3284/976/2040 D:4523/175/302/0; blocked H:1339 A:0 B:432 C:3284 D:175; runs.csv 9746568713b00c79").over(&[("montecarlo", "noise_model", r#""relative""#)]),
        case(g, "every parameter, no requester, party C excluded", &all, "levels 1092/867/1754/1287; rounds 10672; votes H:897/3648/455/481 A:4911/26/63/0 B:1372/2828/800/140 C:0/0/0/0 D:2091/2111/798/3; blocked H:3431 A:26 B:2712 C:0 D:2111; runs.csv 05beacdaeca95a3c").over(&[
            ("crisis", "requester", ""),
            ("crisis", "sponsor", r#""the chair""#),
            ("crisis", "parties", r#"["C"]"#),
            ("rule", "kind", r#""majority""#),
            ("rule", "party_vote", r#""excluded""#),
        ]),
        case(g, "every parameter, posterior", &all, "levels 1231/902/1582/1285; rounds 10848; votes H:2534/1760/706/194 A:5000/0/0/0 B:3453/832/715/50 C:990/3353/657/1772 D:4197/405/398/0; blocked H:1760 A:0 B:832 C:3353 D:405; runs.csv cd8d616170b4a669").args(&["--posterior", "post.csv"]),
    ]
}

fn crisis_and_option_cases() -> Vec<Case> {
    let g = "crisis";
    let o = "options";
    vec![
        case(g, "fixed", &[], "levels 604/1434/1613/1349; rounds 10689; votes H:2798/1468/734/175 A:5000/0/0/0 B:3735/584/681/37 C:831/3368/801/2070 D:4649/108/243/0; blocked H:1468 A:0 B:584 C:3368 D:108; runs.csv 2b9a08a14b1b66ff"),
        case(g, "alliance.capacity uniform", &[("alliance", "capacity", r#"{ dist = "uniform", lo = 0.2, hi = 0.8 }"#)], "levels 618/1411/1615/1356; rounds 10673; votes H:2816/1489/695/167 A:5000/0/0/0 B:3727/579/694/29 C:863/3379/758/2051 D:4583/161/256/0; blocked H:1489 A:0 B:579 C:3379 D:161; runs.csv 046af29e176f6183"),
        case(g, "crisis.severity normal", SEVERITY, "levels 664/1383/1599/1354; rounds 10693; votes H:2823/1485/692/168 A:5000/0/0/0 B:3713/571/716/31 C:848/3383/769/2048 D:4586/154/260/0; blocked H:1485 A:0 B:571 C:3383 D:154; runs.csv 2c35a7dcab3f1348"),
        case(g, "crisis.severity beta on a range", &[("crisis", "severity", r#"{ dist = "beta", a = 2, b = 2, lo = 0.4, hi = 0.9 }"#)], "levels 566/1378/1586/1470; rounds 10474; votes H:2953/1370/677/156 A:5000/0/0/0 B:3828/529/643/33 C:909/3287/804/2047 D:4693/87/220/0; blocked H:1370 A:0 B:529 C:3287 D:87; runs.csv 4e525f91a512373d"),
        case(g, "crisis.domestic beta", &[("crisis", "domestic", r#"{ dist = "beta", a = 2, b = 2 }"#)], "levels 725/1378/1398/1499; rounds 10604; votes H:2833/1434/733/162 A:5000/0/0/0 B:3588/722/690/30 C:1019/3264/717/1903 D:4495/201/304/0; blocked H:1434 A:0 B:722 C:3264 D:201; runs.csv 4174ff8a1c941e87"),
        case(g, "crisis.framing triangular", &[("crisis", "framing", r#"{ dist = "triangular", lo = 0, mode = 0.5, hi = 1 }"#)], "levels 671/1365/1568/1396; rounds 10640; votes H:2817/1502/681/176 A:5000/0/0/0 B:3703/599/698/29 C:898/3336/766/1996 D:4576/164/260/0; blocked H:1502 A:0 B:599 C:3336 D:164; runs.csv 4e091bd9fc37eae4"),
        case(g, "crisis.contagion uniform", &[("crisis", "contagion", r#"{ dist = "uniform", lo = 0.1, hi = 0.7 }"#)], "levels 624/1412/1607/1357; rounds 10679; votes H:2820/1500/680/172 A:5000/0/0/0 B:3713/598/689/29 C:868/3374/758/2040 D:4572/166/262/0; blocked H:1500 A:0 B:598 C:3374 D:166; runs.csv c58f844dbdbf8c6d"),
        case(g, "crisis.legal_fit normal, truncated at 1", &[("crisis", "legal_fit", r#"{ dist = "normal", mean = 0.9, sd = 0.3 }"#)], "levels 674/1270/1526/1530; rounds 10414; votes H:2880/1433/687/163 A:5000/0/0/0 B:3745/588/667/34 C:1006/3226/768/1918 D:4580/148/272/0; blocked H:1433 A:0 B:588 C:3226 D:148; runs.csv aa6f476f3d4d6f6a"),
        case(g, "crisis.legitimacy beta", &[("crisis", "legitimacy", r#"{ dist = "beta", a = 5, b = 3 }"#)], "levels 625/1472/1519/1384; rounds 10713; votes H:2942/1404/654/133 A:5000/0/0/0 B:3752/614/634/40 C:839/3364/797/2092 D:4580/164/256/0; blocked H:1404 A:0 B:614 C:3364 D:164; runs.csv 6095c4add710a1e4"),
        case(g, "crisis.credibility triangular", &[("crisis", "credibility", r#"{ dist = "triangular", lo = 0.2, mode = 0.5, hi = 0.9 }"#)], "levels 606/1255/1542/1597; rounds 10264; votes H:2931/1405/664/182 A:5000/0/0/0 B:3796/556/648/30 C:1022/3140/838/1896 D:4613/142/245/0; blocked H:1405 A:0 B:556 C:3140 D:142; runs.csv f518f2e7aef7fe97"),
        case(g, "crisis.combat_risk normal within lo, hi", &[("crisis", "combat_risk", r#"{ dist = "normal", mean = 0.3, sd = 0.2, lo = 0.1, hi = 0.6 }"#)], "levels 644/1402/1600/1354; rounds 10692; votes H:2795/1519/686/175 A:5000/0/0/0 B:3717/564/719/30 C:835/3385/780/2016 D:4599/134/267/0; blocked H:1519 A:0 B:564 C:3385 D:134; runs.csv a9161b817357089c"),
        case(o, "options.statement.effect uniform, without effect (no troops, no intrusion)", &[("options.statement", "effect", r#"{ dist = "uniform", lo = 0.1, hi = 0.3 }"#)], "").same_as("members.H.dependence drawn, without effect on the hegemon"),
        case(o, "options.monitoring.effect uniform", &[("options.monitoring", "effect", r#"{ dist = "uniform", lo = 0.3, hi = 0.5 }"#)], "levels 618/1438/1596/1348; rounds 10708; votes H:2836/1476/688/172 A:5000/0/0/0 B:3737/551/712/35 C:850/3388/762/2068 D:4605/142/253/0; blocked H:1476 A:0 B:551 C:3388 D:142; runs.csv 40fb80ea750ad39a"),
        case(o, "options.deploy.effect normal", &[("options.deploy", "effect", r#"{ dist = "normal", mean = 0.8, sd = 0.1, lo = 0.5 }"#)], "levels 618/1414/1644/1324; rounds 10708; votes H:2758/1534/708/165 A:5000/0/0/0 B:3648/633/719/32 C:835/3403/762/2026 D:4528/188/284/0; blocked H:1534 A:0 B:633 C:3403 D:188; runs.csv bd8c491038796c84"),
        case(o, "options.monitoring.troops triangular", &[("options.monitoring", "troops", r#"{ dist = "triangular", lo = 0, mode = 0.1, hi = 0.3 }"#)], "levels 616/1691/1345/1348; rounds 10959; votes H:2836/1476/688/172 A:5000/0/0/0 B:3737/551/712/35 C:850/3388/762/2068 D:4605/142/253/0; blocked H:1476 A:0 B:551 C:3388 D:142; runs.csv c19201e13c08b793"),
        case(o, "options.deploy.troops beta", &[("options.deploy", "troops", r#"{ dist = "beta", a = 2, b = 3, lo = 0.3, hi = 0.8 }"#)], "levels 641/1448/1517/1394; rounds 10695; votes H:2846/1468/686/140 A:5000/0/0/0 B:3717/618/665/30 C:853/3368/779/2027 D:4596/155/249/0; blocked H:1468 A:0 B:618 C:3368 D:155; runs.csv 26fd3fe5e3cb0e7f"),
        case(o, "options.monitoring.intrusion uniform", &[("options.monitoring", "intrusion", r#"{ dist = "uniform", lo = 0.1, hi = 0.3 }"#)], "levels 619/1399/1634/1348; rounds 10670; votes H:2836/1476/688/172 A:5000/0/0/0 B:3737/551/712/35 C:850/3388/762/2068 D:4605/142/253/0; blocked H:1476 A:0 B:551 C:3388 D:142; runs.csv d2f375724924c444"),
        case(o, "options.deploy.intrusion beta", &[("options.deploy", "intrusion", r#"{ dist = "beta", a = 3, b = 2, lo = 0.3, hi = 0.9 }"#)], "levels 642/1448/1616/1294; rounds 10796; votes H:2817/1486/697/148 A:5000/0/0/0 B:3602/665/733/36 C:795/3467/738/2072 D:4569/145/286/0; blocked H:1486 A:0 B:665 C:3467 D:145; runs.csv 075b666e55ef2a3b"),
    ]
}

fn member_cases() -> Vec<Case> {
    let s = "scalars";
    let r = "relations";
    let w = "weights";
    vec![
        case(s, "members.H.military_spending uniform", &[("members.H", "military_spending", r#"{ dist = "uniform", lo = 10, hi = 30 }"#)], "levels 618/1415/1595/1372; rounds 10661; votes H:2873/1444/683/168 A:5000/0/0/0 B:3764/544/692/32 C:852/3371/777/2074 D:4618/131/251/0; blocked H:1444 A:0 B:544 C:3371 D:131; runs.csv 2d403f9d6e3ea0d3"),
        case(s, "members.C.gdp triangular", &[("members.C", "gdp", r#"{ dist = "triangular", lo = 2, mode = 5, hi = 10 }"#)], "levels 618/1420/1614/1348; rounds 10690; votes H:2836/1476/688/172 A:5000/0/0/0 B:3737/551/712/35 C:850/3388/762/2068 D:4605/143/252/0; blocked H:1476 A:0 B:551 C:3388 D:143; runs.csv 6cfc035624b52e0f"),
        case(s, "members.B.dependence beta", &[("members.B", "dependence", r#"{ dist = "beta", a = 2, b = 2 }"#)], "levels 638/1438/1567/1357; rounds 10719; votes H:2898/1410/692/149 A:5000/0/0/0 B:3667/667/666/52 C:837/3377/786/2084 D:4666/94/240/0; blocked H:1410 A:0 B:667 C:3377 D:94; runs.csv cba5cde3253c8106"),
        case(s, "members.H.dependence drawn, without effect on the hegemon", &[("members.H", "dependence", r#"{ dist = "uniform", lo = 0, hi = 1 }"#)], "levels 618/1420/1614/1348; rounds 10690; votes H:2836/1476/688/172 A:5000/0/0/0 B:3737/551/712/35 C:850/3388/762/2068 D:4605/142/253/0; blocked H:1476 A:0 B:551 C:3388 D:142; runs.csv 555e160021856e6a"),
        case(s, "members.A.dependence drawn, without effect on the requester", &[("members.A", "dependence", r#"{ dist = "uniform", lo = 0, hi = 1 }"#)], "").same_as("members.H.dependence drawn, without effect on the hegemon"),
        case(s, "members.C.sovereignty normal", &[("members.C", "sovereignty", r#"{ dist = "normal", mean = 0.5, sd = 0.3 }"#)], "levels 636/1371/1590/1403; rounds 10604; votes H:2832/1478/690/192 A:5000/0/0/0 B:3735/538/727/36 C:916/3306/778/2009 D:4616/132/252/0; blocked H:1478 A:0 B:538 C:3306 D:132; runs.csv 9f9550fcc16d450e"),
        case(s, "members.A.sovereignty beta (the requester's)", &[("members.A", "sovereignty", r#"{ dist = "beta", a = 3, b = 2 }"#)], "levels 642/1448/1546/1364; rounds 10726; votes H:2871/1447/682/159 A:5000/0/0/0 B:3734/552/714/36 C:831/3389/780/2081 D:4653/101/246/0; blocked H:1447 A:0 B:552 C:3389 D:101; runs.csv ae8ca57accecdf65"),
        case(s, "members.D.vulnerability uniform", &[("members.D", "vulnerability", r#"{ dist = "uniform", lo = 0.4, hi = 1 }"#)], "levels 618/1420/1614/1348; rounds 10690; votes H:2836/1476/688/172 A:5000/0/0/0 B:3737/551/712/35 C:850/3388/762/2068 D:4605/141/254/0; blocked H:1476 A:0 B:551 C:3388 D:141; runs.csv e7c962355a754175"),
        case(s, "members.C.reservation normal", &[("members.C", "reservation", r#"{ dist = "normal", mean = 0, sd = 0.1 }"#)], "levels 839/1271/1446/1444; rounds 10666; votes H:2822/1488/690/195 A:5000/0/0/0 B:3724/556/720/44 C:1027/3241/732/1959 D:4604/140/256/0; blocked H:1488 A:0 B:556 C:3241 D:140; runs.csv 076cfba51583b74d"),
        case(r, "members.B.threat triangular", &[("members.B", "threat", r#"{ t = { dist = "triangular", lo = 0.1, mode = 0.4, hi = 0.9 } }"#)], "levels 618/1421/1608/1353; rounds 10686; votes H:2836/1476/688/176 A:5000/0/0/0 B:3820/521/659/30 C:850/3388/762/2076 D:4605/142/253/0; blocked H:1476 A:0 B:521 C:3388 D:142; runs.csv 5eab6ef49358f60f"),
        case(r, "members.C.concern beta", &[("members.C", "concern", r#"{ r = { dist = "beta", a = 2, b = 3 } }"#)], "levels 910/1512/1381/1197; rounds 11225; votes H:2871/1447/682/146 A:5000/0/0/0 B:3734/552/714/36 C:715/3574/711/2248 D:4653/101/246/0; blocked H:1447 A:0 B:552 C:3574 D:101; runs.csv d1c8b75f3d0dd30f"),
        case(r, "threat of another crisis type is not drawn", &[("members.H", "threat", r#"{ t = 0.5, u = { dist = "uniform", lo = 0, hi = 1 } }"#)], "")
            .same_as("fixed"),
        case(r, "concern for another region is not drawn", &[("members.B", "concern", r#"{ r = 0.6, s = { dist = "beta", a = 2, b = 2 } }"#)], "")
            .same_as("fixed"),
        case(r, "members.C.affinity toward the requester uniform", &[("members.C", "affinity", r#"{ A = { dist = "uniform", lo = -0.8, hi = 0.4 }, X = 0.4 }"#)], "levels 993/1172/1385/1450; rounds 10715; votes H:2836/1476/688/221 A:5000/0/0/0 B:3737/551/712/39 C:1130/3190/680/1966 D:4605/142/253/0; blocked H:1476 A:0 B:551 C:3190 D:142; runs.csv ff57bd95bed16d55"),
        case(r, "members.H.affinity toward the outside adversary normal", &[("members.H", "affinity", r#"{ A = 0.6, B = 0.3, C = 0.2, D = 0.4, X = { dist = "normal", mean = 0.3, sd = 0.3 } }"#)], "levels 829/1336/1338/1497; rounds 10668; votes H:2753/1764/483/154 A:5000/0/0/0 B:3513/835/652/20 C:1002/3246/752/1670 D:4230/421/349/0; blocked H:1764 A:0 B:835 C:3246 D:421; runs.csv 80c30c32b6c03792"),
        case(r, "members.A.affinity of the requester toward the adversary beta", &[("members.A", "affinity", r#"{ H = 0.6, B = 0.2, X = { dist = "beta", a = 2, b = 5 } }"#)], "levels 633/1440/1540/1387; rounds 10686; votes H:2879/1427/694/157 A:5000/0/0/0 B:3739/556/705/38 C:831/3371/798/2073 D:4659/103/238/0; blocked H:1427 A:0 B:556 C:3371 D:103; runs.csv de04ca4168156866"),
        case(r, "member adversary C, members.B.affinity toward it triangular", &[("crisis", "adversary", r#""C""#), ("members.B", "affinity", r#"{ A = 0.3, X = 0.2, C = { dist = "triangular", lo = -1, mode = -0.3, hi = 0.5 } }"#)], "levels 4461/428/73/38; rounds 14851; votes H:3524/890/586/0 A:5000/0/0/0 B:4783/96/121/0 C:8/4962/30/4046 D:4738/84/178/0; blocked H:890 A:0 B:96 C:4962 D:84; runs.csv a19a1a59a6862ea8"),
        case(r, "member adversary C, fixed", &[("crisis", "adversary", r#""C""#)], "levels 4499/387/74/40; rounds 14846; votes H:3532/873/595/2 A:5000/0/0/0 B:4650/114/236/1 C:11/4957/32/4065 D:4777/71/152/0; blocked H:873 A:0 B:114 C:4957 D:71; runs.csv 62da93d05b4597c5"),
        case(r, "affinity toward a bystander is not drawn", &[("members.D", "affinity", r#"{ A = 0.5, X = -0.1, B = { dist = "uniform", lo = -1, hi = 1 } }"#)], "")
            .same_as("fixed"),
        case(w, "members.H.weights.security uniform", &[("members.H.weights", "security", r#"{ dist = "uniform", lo = 0.5, hi = 2 }"#)], "levels 549/1334/1615/1502; rounds 10381; votes H:3115/1255/630/147 A:5000/0/0/0 B:3896/491/613/30 C:937/3268/795/2134 D:4676/106/218/0; blocked H:1255 A:0 B:491 C:3268 D:106; runs.csv c87e4470ada2def6"),
        case(w, "members.B.weights.regime beta", &[("members.B.weights", "regime", r#"{ dist = "beta", a = 2, b = 2, lo = 0, hi = 3 }"#)], "levels 638/1426/1558/1378; rounds 10686; votes H:2898/1410/692/168 A:5000/0/0/0 B:3975/455/570/31 C:837/3377/786/2112 D:4666/94/240/0; blocked H:1410 A:0 B:455 C:3377 D:94; runs.csv f31589f43d804cb8"),
        case(w, "members.C.weights.partner triangular", &[("members.C.weights", "partner", r#"{ dist = "triangular", lo = 0, mode = 1, hi = 3 }"#)], "levels 883/1451/1446/1220; rounds 11114; votes H:2836/1476/688/146 A:5000/0/0/0 B:3737/551/712/31 C:724/3552/724/2196 D:4605/142/253/0; blocked H:1476 A:0 B:551 C:3552 D:142; runs.csv aaf6c704b7122044"),
        case(w, "members.D.weights.credibility normal", &[("members.D.weights", "credibility", r#"{ dist = "normal", mean = 1, sd = 0.5, lo = 0, hi = 3 }"#)], "levels 628/1412/1621/1339; rounds 10701; votes H:2820/1491/689/173 A:5000/0/0/0 B:3718/550/732/36 C:843/3392/765/2062 D:4597/152/251/0; blocked H:1491 A:0 B:550 C:3392 D:152; runs.csv 8edea34c63c561a2"),
        case(w, "members.B.weights.sovereignty uniform", &[("members.B.weights", "sovereignty", r#"{ dist = "uniform", lo = 0, hi = 2 }"#)], "levels 618/1421/1623/1338; rounds 10701; votes H:2836/1476/688/164 A:5000/0/0/0 B:3686/631/683/45 C:850/3388/762/2036 D:4605/142/253/0; blocked H:1476 A:0 B:631 C:3388 D:142; runs.csv 17c8b03da656298b"),
        case(w, "members.H.weights.cost triangular", &[("members.H.weights", "cost", r#"{ dist = "triangular", lo = 0.5, mode = 1, hi = 2 }"#)], "levels 618/1518/1710/1154; rounds 10982; votes H:2304/2029/667/202 A:5000/0/0/0 B:3333/872/795/28 C:739/3518/743/1713 D:4259/339/402/0; blocked H:2029 A:0 B:872 C:3518 D:339; runs.csv a66f25db431cffa7"),
        case(w, "members.C.weights.external beta", &[("members.C.weights", "external", r#"{ dist = "beta", a = 2, b = 5, lo = 0, hi = 4 }"#)], "levels 1408/1035/1252/1305; rounds 11138; votes H:2879/1427/694/181 A:5000/0/0/0 B:3739/556/705/32 C:982/3407/611/2155 D:4659/103/238/0; blocked H:1427 A:0 B:556 C:3407 D:103; runs.csv 3ff6b292c2d931c6"),
        case(w, "defaults: reservation drawn for each member", &[("defaults", "reservation", r#"{ dist = "normal", mean = 0, sd = 0.05 }"#)], "levels 695/1345/1624/1336; rounds 10704; votes H:2804/1474/722/209 A:5000/0/0/0 B:3711/591/698/37 C:867/3340/793/2055 D:4581/167/252/0; blocked H:1474 A:0 B:591 C:3340 D:167; runs.csv 530ed1c89c2c296d"),
        case(w, "defaults: cost weight drawn for each member", &[("defaults", "weights", r#"{ cost = { dist = "uniform", lo = 0.5, hi = 1.5 } }"#)], "levels 644/1376/1595/1385; rounds 10635; votes H:2756/1562/682/189 A:5000/0/0/0 B:3656/606/738/24 C:858/3327/815/1960 D:4521/204/275/0; blocked H:1562 A:0 B:606 C:3327 D:204; runs.csv 99fb15429cb5eb01"),
    ]
}

fn rule_and_procedure_cases() -> Vec<Case> {
    let r = "rules";
    let p = "procedure";
    let parties: &[Set] = &[("crisis", "parties", r#"["C"]"#)];
    vec![
        case(r, "weighted:military, spending drawn", &[("members.H", "military_spending", r#"{ dist = "uniform", lo = 10, hi = 30 }"#)], "levels 25/370/1732/2873; rounds 7522; votes H:2873/1444/683/168 A:5000/0/0/0 B:3764/544/692/18 C:852/3371/777/459 D:4618/131/251/0; blocked H:1444 A:0 B:503 C:1729 D:131; runs.csv a3f273d62ef993b1")
            .args(&["--rule", "weighted:military:0.5"]),
        case(r, "weighted:military amount, spending drawn", &[("members.B", "military_spending", r#"{ dist = "triangular", lo = 0.5, mode = 1, hi = 2 }"#)], "levels 25/373/1753/2849; rounds 7549; votes H:2849/1458/693/169 A:5000/0/0/0 B:3735/551/714/19 C:858/3381/761/463 D:4611/138/251/0; blocked H:1458 A:0 B:505 C:1738 D:138; runs.csv c26e02242b0b7321")
            .args(&["--rule", "weighted:military:amount:21.5"]),
        case(r, "weighted:economic, gdp drawn", &[("members.C", "gdp", r#"{ dist = "triangular", lo = 2, mode = 5, hi = 10 }"#)], "levels 25/376/1763/2836; rounds 7565; votes H:2836/1476/688/172 A:5000/0/0/0 B:3737/551/712/19 C:850/3388/762/458 D:4605/143/252/0; blocked H:1476 A:0 B:508 C:1751 D:143; runs.csv d0947fd56916ab68")
            .args(&["--rule", "weighted:economic:0.6"]),
        case(r, "weighted:population, population drawn", &[("members.D", "population", r#"{ dist = "uniform", lo = 5000, hi = 9000 }"#)], "levels 25/376/1763/2836; rounds 7565; votes H:2836/1476/688/172 A:5000/0/0/0 B:3737/551/712/19 C:850/3388/762/458 D:4605/142/253/0; blocked H:1476 A:0 B:508 C:1751 D:142; runs.csv 2fcc1df5eb744ccf")
            .args(&["--rule", "weighted:population:0.65"]),
        case(r, "double_majority, population drawn", &[("members.H", "population", r#"{ dist = "normal", mean = 140000, sd = 20000 }"#)], "levels 20/343/1727/2910; rounds 7453; votes H:2822/1488/690/0 A:5000/0/0/0 B:3724/556/720/0 C:844/3392/764/0 D:4604/140/256/0; blocked H:2090 A:0 B:1060 C:2004 D:396; runs.csv bf27cf8ee090d472")
            .args(&["--rule", "double_majority:0.6:0.65:2"]),
        case(r, "weighted:military, spending fixed, severity drawn", SEVERITY, "levels 31/386/1760/2823; rounds 7594; votes H:2823/1485/692/168 A:5000/0/0/0 B:3713/571/716/15 C:848/3383/769/460 D:4586/154/260/0; blocked H:1485 A:0 B:520 C:1760 D:154; runs.csv 3544cdc25e00cf77")
            .args(&["--rule", "weighted:military:0.5"]),
        case(r, "weighted:equal, severity drawn", SEVERITY, "levels 1/108/988/3903; rounds 6206; votes H:2823/1485/692/38 A:5000/0/0/0 B:3713/571/716/8 C:848/3383/769/100 D:4586/154/260/0; blocked H:927 A:0 B:500 C:985 D:154; runs.csv d57ce53ae5ac8ad0").args(&["--rule", "weighted:equal:0.6"]),
        case(r, "population drawn but not counted is not drawn", &[("members.D", "population", r#"{ dist = "uniform", lo = 5000, hi = 9000 }"#)], "")
            .over(SEVERITY)
            .same_as("crisis.severity normal"),
        case(r, "majority over every family", EVERY_FAMILY, "levels 2/118/1033/3847; rounds 6273; votes H:2747/1485/768/45 A:5000/0/0/0 B:3638/671/691/12 C:954/3314/732/113 D:4540/176/284/0; blocked H:953 A:0 B:582 C:1043 D:175; runs.csv 785c2b5ea1b7e357").args(&["--rule", "majority"]),
        case(r, "strict_unanimity over every family", EVERY_FAMILY, "levels 1633/1535/1111/721; rounds 12447; votes H:2747/1485/768/116 A:5000/0/0/0 B:3638/671/691/30 C:954/3314/732/1803 D:4540/176/284/1; blocked H:2253 A:0 B:1362 C:4046 D:460; runs.csv 60f3b4c8bf90dedc").args(&["--rule", "strict_unanimity"]),
        case(r, "qualified_majority:votes:4 over every family", EVERY_FAMILY, "levels 30/446/1853/2671; rounds 7805; votes H:2747/1485/768/125 A:5000/0/0/0 B:3638/671/691/37 C:954/3314/732/609 D:4540/176/284/0; blocked H:1441 A:0 B:665 C:1968 D:176; runs.csv 9cf6fd5c303bb190").args(&["--rule", "qualified_majority:votes:4"]),
        case(r, "hegemon_majority over every family", EVERY_FAMILY, "levels 36/400/1817/2747; rounds 7689; votes H:2747/1485/768/169 A:5000/0/0/0 B:3638/671/691/25 C:954/3314/732/499 D:4540/176/284/0; blocked H:1485 A:0 B:613 C:1818 D:176; runs.csv 85fde3df93d3b416").args(&["--rule", "hegemon_majority"]),
        case(p, "party C abstains", &[("rule", "kind", r#""consensus""#), ("rule", "party_vote", r#""abstain""#)], "levels 12/192/1425/3371; rounds 6833; votes H:2747/1485/768/911 A:5000/0/0/0 B:3638/671/691/143 C:0/0/5000/0 D:4540/176/284/1; blocked H:1485 A:0 B:671 C:0 D:176; runs.csv 97e4450ead8a521f")
            .over(parties)
            .over(EVERY_FAMILY),
        case(p, "party C excluded, majority", &[("rule", "kind", r#""majority""#), ("rule", "party_vote", r#""excluded""#)], "levels 2/127/1102/3769; rounds 6360; votes H:2747/1485/768/429 A:5000/0/0/0 B:3638/671/691/85 C:0/0/0/0 D:4540/176/284/1; blocked H:1003 A:0 B:613 C:0 D:176; runs.csv 24a6a58adad5632a")
            .over(parties)
            .over(EVERY_FAMILY),
        case(p, "party C excluded, weighted:military with spending drawn", &[("rule", "kind", r#""consensus""#), ("rule", "party_vote", r#""excluded""#), ("members.H", "military_spending", r#"{ dist = "uniform", lo = 10, hi = 30 }"#)], "levels 25/370/1732/2873; rounds 7522; votes H:2873/1444/683/969 A:5000/0/0/0 B:3764/544/692/69 C:0/0/0/0 D:4618/131/251/0; blocked H:1444 A:0 B:503 C:0 D:131; runs.csv bcd1507510c4f1b8")
            .over(parties)
            .args(&["--rule", "weighted:military:0.5"]),
        case(p, "member adversary C is a party and abstains", &[("crisis", "adversary", r#""C""#), ("rule", "kind", r#""consensus""#), ("rule", "party_vote", r#""abstain""#)], "levels 1/59/875/4065; rounds 5995; votes H:3515/904/581/709 A:5000/0/0/0 B:4564/155/281/31 C:0/0/5000/0 D:4676/113/211/0; blocked H:904 A:0 B:155 C:0 D:113; runs.csv 5ed70f86e9aa69b3")
            .over(EVERY_FAMILY),
        case(p, "no requester", &[("crisis", "requester", ""), ("crisis", "sponsor", r#""the chair""#)], "levels 1219/1932/1386/463; rounds 12688; votes H:585/3978/437/296 A:4962/8/30/0 B:1091/3062/847/84 C:796/3513/691/391 D:1926/2141/933/0; blocked H:3978 A:8 B:3062 C:3513 D:2141; runs.csv 05835bc473b05163")
            .over(EVERY_FAMILY),
        case(p, "no requester: affinity toward A is not drawn", &[("crisis", "requester", ""), ("crisis", "sponsor", r#""the chair""#), ("members.C", "affinity", r#"{ A = { dist = "uniform", lo = -0.8, hi = 0.4 }, X = 0.4 }"#)], "")
            .over(EVERY_FAMILY)
            .same_as("no requester"),
        case(p, "no hegemon", &[("alliance", "hegemon", "")], "levels 2032/1545/1031/392; rounds 13185; votes H:781/3688/531/963 A:5000/0/0/0 B:2829/1483/688/133 C:1246/3130/624/571 D:4928/35/37/0; blocked H:3688 A:0 B:1483 C:3130 D:35; runs.csv 065f45aabc7c3b12").over(EVERY_FAMILY),
        case(p, "every family", EVERY_FAMILY, "levels 785/1331/1468/1416; rounds 10700; votes H:2747/1485/768/169 A:5000/0/0/0 B:3638/671/691/43 C:954/3314/732/1955 D:4540/176/284/0; blocked H:1485 A:0 B:671 C:3314 D:176; runs.csv cd231e543e24d12b"),
    ]
}

fn noise_and_posterior_cases() -> Vec<Case> {
    let n = "noise";
    let p = "posterior";
    let relative: &[Set] = &[("montecarlo", "noise_model", r#""relative""#)];
    let post: &[&str] = &["--posterior", "post.csv"];
    vec![
        case(n, "relative noise, fixed", relative, "levels 15/1310/3118/557; rounds 10768; votes H:3078/913/1009/6 A:5000/0/0/0 B:4496/45/459/0 C:25/4437/538/3530 D:4967/1/32/0; blocked H:913 A:0 B:45 C:4437 D:1; runs.csv 12b451a01575828b"),
        case(n, "relative noise over every family", relative, "levels 135/1600/2251/1014; rounds 10721; votes H:2936/1040/1024/23 A:5000/0/0/0 B:4227/143/630/0 C:258/3963/779/2945 D:4876/18/106/0; blocked H:1040 A:0 B:143 C:3963 D:18; runs.csv 8b92d63966cf4053").over(EVERY_FAMILY),
        case(n, "no noise over every family", &[("montecarlo", "noise", "0")], "levels 3/1467/2777/753; rounds 10717; votes H:3417/218/1365/0 A:5000/0/0/0 B:4769/0/231/0 C:69/4247/684/4029 D:4999/0/1/0; blocked H:218 A:0 B:0 C:4247 D:0; runs.csv e89f7ffd8f0c1829").over(EVERY_FAMILY),
        case(n, "no noise, severity drawn", &[("montecarlo", "noise", "0")], "levels 0/749/4251/0; rounds 10749; votes H:4647/0/353/0 A:5000/0/0/0 B:5000/0/0/0 C:0/5000/0/5000 D:5000/0/0/0; blocked H:0 A:0 B:0 C:5000 D:0; runs.csv 6ebd5f9d55583a24").over(SEVERITY),
        case(n, "large absolute noise over every family", &[("montecarlo", "noise", "0.6")], "levels 2452/678/560/1310; rounds 11820; votes H:2521/2307/172/146 A:5000/0/0/0 B:2761/1955/284/210 C:2015/2734/251/901 D:3184/1590/226/18; blocked H:2307 A:0 B:1955 C:2734 D:1590; runs.csv 0695e73b0076620d").over(EVERY_FAMILY),
        case(p, "posterior alone", &[], "levels 532/1420/1894/1154; rounds 10798; votes H:2786/1414/800/164 A:5000/0/0/0 B:3765/518/717/26 C:663/3590/747/2338 D:4628/148/224/0; blocked H:1414 A:0 B:518 C:3590 D:148; runs.csv 67118f2f5e0cc237").args(post),
        case(p, "posterior over every family", EVERY_FAMILY, "levels 657/1479/1646/1218; rounds 10918; votes H:2673/1517/810/134 A:5000/0/0/0 B:3605/651/744/34 C:710/3557/733/2131 D:4542/189/269/0; blocked H:1517 A:0 B:651 C:3557 D:189; runs.csv 5ff39beab708dfcc").args(post),
        case(p, "posterior beside other draws", &[("alliance", "capacity", r#"{ dist = "uniform", lo = 0.2, hi = 0.8 }"#), ("members.B", "dependence", r#"{ dist = "beta", a = 2, b = 2 }"#)], "levels 577/1535/1723/1165; rounds 10947; votes H:2744/1478/778/135 A:5000/0/0/0 B:3617/692/691/42 C:677/3591/732/2232 D:4616/137/247/0; blocked H:1478 A:0 B:692 C:3591 D:137; runs.csv c29bb3ec274e4be0")
            .args(post),
        case(p, "posterior with relative noise over every family", relative, "levels 134/1640/2536/690; rounds 11084; votes H:2848/1186/966/12 A:5000/0/0/0 B:4122/197/681/0 C:118/4297/585/3119 D:4815/45/140/0; blocked H:1186 A:0 B:197 C:4297 D:45; runs.csv 11d30ad5d99a745d")
            .over(EVERY_FAMILY)
            .args(post),
        case(p, "posterior setting the amounts weighted:military counts", SEVERITY, "levels 71/341/1802/2786; rounds 7626; votes H:2786/1414/800/164 A:5000/0/0/0 B:3765/518/717/15 C:663/3590/747/572 D:4628/148/224/0; blocked H:1414 A:0 B:475 C:1792 D:148; runs.csv e1a24d85aadcf513")
            .args(&["--posterior", "post.csv", "--rule", "weighted:military:0.5"]),
    ]
}

/// The pinned sweep's digest (see `a_sweep_over_drawn_parameters_is_pinned`).
pub const SWEEP_PIN: &str = "p0 consensus 631/548/250/71; p1 majority 16/249/749/486; p2 consensus 296/550/445/209; p3 majority 1/85/583/831; p4 consensus 106/370/546/478; p5 majority 0/20/329/1151; p6 consensus 627/391/264/218; p7 majority 16/109/392/983; p8 consensus 294/352/351/503; p9 majority 1/34/220/1245; p10 consensus 104/217/353/826; p11 majority 0/6/88/1406; sweep_members.csv 83fedf603ad3bdcc";
