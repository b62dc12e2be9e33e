//! "Did you mean ...?": the closest known name to a misspelt one.

/// Edit distance (insertions, deletions, substitutions) between two strings,
/// compared case-insensitively.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo
/// (at most a third of the word's length in edits, and at least one allowed).
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A "did you mean" hint, or a list of the valid names when none is close.
pub fn hint<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let candidates = candidates.into_iter();
    if let Some(best) = closest(word, candidates.clone()) {
        return Some(format!("did you mean `{best}`?"));
    }
    let all: Vec<String> = candidates.map(|c| format!("`{c}`")).collect();
    if all.is_empty() {
        None
    } else {
        Some(format!("expected one of {}", all.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("sovereignty", "sovereignty"), 0);
        assert_eq!(edit_distance("sovreignty", "sovereignty"), 1);
        assert_eq!(edit_distance("KAZ", "kaz"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["RUS", "KAZ", "BLR", "ARM"];
        assert_eq!(closest("KAX", names), Some("KAZ"));
        assert_eq!(closest("Germany", names), None);
        assert_eq!(
            hint("sovreignty", ["sovereignty", "security"]).as_deref(),
            Some("did you mean `sovereignty`?")
        );
        assert_eq!(
            hint("zzz", ["a1", "b2"]).as_deref(),
            Some("expected one of `a1`, `b2`")
        );
    }
}
