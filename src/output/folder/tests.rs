//! Tests of results folders: whole on commit, same results replaced and
//! others kept, `--replace` only for folders of ours, staging folders private
//! and tidied, links never followed, concurrent commits never mixed.

use super::*;

fn manifest(dir: &Path, text: &str) {
    fs::write(dir.join("manifest.json"), text).unwrap();
}

fn ours(tag: &str) -> String {
    format!("{{\"tool\": \"alliance-sim\", \"tag\": \"{tag}\"}}")
}

fn build(parent: &Path, data: &str, tag: &str) -> Staged {
    let s = Staged::begin(parent, "case").unwrap();
    s.write("outcomes.csv", data.as_bytes()).unwrap();
    s.write("manifest.json", ours(tag).as_bytes()).unwrap();
    s
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn appears_whole_only_on_commit() {
    let root = tempfile::tempdir().unwrap();
    let s = build(root.path(), "a", "1");
    assert!(!root.path().join("case").exists());
    let c = s.commit(Replace::IfSame).unwrap();
    assert_eq!(c.dir, root.path().join("case"));
    assert!(c.kept.is_empty() && !c.replaced && c.note().is_none());
    assert_eq!(entries(&c.dir), ["manifest.json", "outcomes.csv"]);
    assert_eq!(entries(root.path()), ["case"]);
}

#[test]
fn same_results_replace_other_results_are_kept() {
    let root = tempfile::tempdir().unwrap();
    build(root.path(), "a", "1")
        .commit(Replace::IfSame)
        .unwrap();
    // Same data, another manifest: replaced in place.
    let c = build(root.path(), "a", "2")
        .commit(Replace::IfSame)
        .unwrap();
    assert!(c.replaced && c.kept.is_empty());
    assert!(fs::read_to_string(c.dir.join("manifest.json"))
        .unwrap()
        .contains("\"2\""));
    // Other data: kept, the new results go to case-2, then case-3.
    let c = build(root.path(), "b", "3")
        .commit(Replace::IfSame)
        .unwrap();
    assert_eq!(c.dir, root.path().join("case-2"));
    assert_eq!(c.kept, vec![root.path().join("case")]);
    assert!(c.note().unwrap().contains("kept"));
    let c = build(root.path(), "c", "4")
        .commit(Replace::IfSame)
        .unwrap();
    assert_eq!(c.dir, root.path().join("case-3"));
    // Results equal to case-2's replace case-2.
    let c = build(root.path(), "b", "5")
        .commit(Replace::IfSame)
        .unwrap();
    assert_eq!(c.dir, root.path().join("case-2"));
    assert_eq!(
        fs::read_to_string(root.path().join("case/outcomes.csv")).unwrap(),
        "a"
    );
    assert_eq!(entries(root.path()), ["case", "case-2", "case-3"]);
}

#[test]
fn replace_always_replaces_only_our_folders() {
    let root = tempfile::tempdir().unwrap();
    build(root.path(), "a", "1")
        .commit(Replace::IfSame)
        .unwrap();
    let c = build(root.path(), "b", "2")
        .commit(Replace::Always)
        .unwrap();
    assert_eq!(c.dir, root.path().join("case"));
    assert!(c.replaced);
    assert_eq!(fs::read_to_string(c.dir.join("outcomes.csv")).unwrap(), "b");
    // A folder of the user's own is never replaced.
    let mine = root.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("thesis.tex"), "x").unwrap();
    let s = Staged::begin(root.path(), "mine").unwrap();
    s.write("outcomes.csv", b"b").unwrap();
    assert!(matches!(
        s.commit(Replace::Always),
        Err(FolderError::NotResults(_))
    ));
    assert_eq!(entries(&mine), ["thesis.tex"]);
    // ... and with the default it is kept.
    let s = Staged::begin(root.path(), "mine").unwrap();
    s.write("outcomes.csv", b"b").unwrap();
    let c = s.commit(Replace::IfSame).unwrap();
    assert_eq!(c.dir, root.path().join("mine-2"));
    assert_eq!(entries(&mine), ["thesis.tex"]);
    // Nothing of the failed attempt is left behind.
    assert_eq!(entries(root.path()), ["case", "mine", "mine-2"]);
}

#[test]
fn a_file_added_by_the_user_makes_a_folder_other_results() {
    let root = tempfile::tempdir().unwrap();
    let c = build(root.path(), "a", "1")
        .commit(Replace::IfSame)
        .unwrap();
    fs::write(c.dir.join("notes.txt"), "mine").unwrap();
    let c2 = build(root.path(), "a", "1")
        .commit(Replace::IfSame)
        .unwrap();
    assert_eq!(c2.dir, root.path().join("case-2"));
    assert!(c.dir.join("notes.txt").exists());
}

#[test]
fn dropped_without_commit_leaves_nothing() {
    let root = tempfile::tempdir().unwrap();
    build(root.path(), "a", "1")
        .commit(Replace::IfSame)
        .unwrap();
    {
        let s = build(root.path(), "b", "2");
        assert_eq!(entries(root.path()).len(), 2);
        drop(s);
    }
    assert_eq!(entries(root.path()), ["case"]);
    assert_eq!(
        fs::read_to_string(root.path().join("case/outcomes.csv")).unwrap(),
        "a"
    );
    // Output folders created for nothing are removed again.
    let deep = root.path().join("new/deeper");
    drop(Staged::begin(&deep, "case").unwrap());
    assert!(!root.path().join("new").exists());
}

#[test]
fn staging_names_are_unpredictable_and_private() {
    let root = tempfile::tempdir().unwrap();
    let a = Staged::begin(root.path(), "case").unwrap();
    let b = Staged::begin(root.path(), "case").unwrap();
    assert_ne!(a.path(), b.path());
    let name = a.path().file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with(".case.") && name.ends_with(STAGING_SUFFIX));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(a.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }
    // A staging folder in use is not taken for abandoned.
    assert_eq!(remove_abandoned(root.path()), 0);
    assert!(a.path().exists() && b.path().exists());
}

#[test]
fn abandoned_staging_folders_are_removed() {
    let root = tempfile::tempdir().unwrap();
    // What a killed process leaves: a staging folder nobody locks.
    let dead = root.path().join(".case.AbC123.part");
    fs::create_dir(&dead).unwrap();
    fs::write(dead.join("outcomes.csv"), "x").unwrap();
    let unrelated = root.path().join(".config");
    fs::create_dir(&unrelated).unwrap();
    assert_eq!(remove_abandoned(root.path()), 1);
    assert!(!dead.exists() && unrelated.exists());
}

#[test]
fn a_symlink_at_the_destination_is_not_followed() {
    let root = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    manifest(elsewhere.path(), &ours("victim"));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(elsewhere.path(), root.path().join("case")).unwrap();
        let c = build(root.path(), "a", "1")
            .commit(Replace::IfSame)
            .unwrap();
        assert_eq!(c.dir, root.path().join("case-2"));
        assert_eq!(entries(elsewhere.path()), ["manifest.json"]);
    }
}

#[test]
fn names_must_be_plain() {
    for bad in ["", ".", "..", "a/b", "../x", "a\nb", "a\\b"] {
        assert!(check_name(bad).is_err(), "{bad:?}");
    }
    for good in ["kyrgyzstan_2010", "x-sweep", "x.shard-0-of-2", "é"] {
        assert!(check_name(good).is_ok(), "{good:?}");
    }
}

#[test]
fn concurrent_commits_never_mix() {
    let root = tempfile::tempdir().unwrap();
    let parent = root.path().to_path_buf();
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let parent = parent.clone();
            std::thread::spawn(move || {
                let s = Staged::begin(&parent, "case").unwrap();
                let data = format!("{}", i % 2);
                s.write("outcomes.csv", data.as_bytes()).unwrap();
                s.write("members.csv", data.as_bytes()).unwrap();
                s.write("manifest.json", ours(&i.to_string()).as_bytes())
                    .unwrap();
                s.commit(Replace::IfSame).unwrap()
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    // Two distinct results: two folders, each consistent.
    let dirs = entries(&parent);
    assert_eq!(dirs, ["case", "case-2"]);
    for d in dirs {
        let a = fs::read_to_string(parent.join(&d).join("outcomes.csv")).unwrap();
        let b = fs::read_to_string(parent.join(&d).join("members.csv")).unwrap();
        assert_eq!(a, b);
    }
}
