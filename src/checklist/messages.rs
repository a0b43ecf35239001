//! The TOML parser's messages in plain words, in Danish or English: a manager editing a
//! checklist should read "the text lacks its closing quote", not "invalid basic string".

use crate::i18n::Lang;

/// `message` from `toml` (its `Error::message`), said plainly in `lang`. A message not
/// recognised is kept as it is in English and replaced by a general hint in Danish.
pub fn plain(message: &str, lang: Lang) -> String {
    let m = message.trim().replace('\n', " ");
    let pick = |da: &str, en: &str| lang.pick(da, en).to_string();
    if let Some((found, expected)) = m
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        return lang
            .pick(
                "forkert slags værdi: {f} står, hvor der skal stå {e}",
                "wrong kind of value: {f} stands where {e} belongs",
            )
            .replace("{f}", &found_value(found, lang))
            .replace("{e}", &expected_value(expected, lang));
    }
    if let Some(rest) = m.strip_prefix("unknown field ") {
        let (field, allowed) = match rest.split_once(", expected ") {
            Some((f, a)) => (f, a.strip_prefix("one of ").unwrap_or(a)),
            None => (rest, ""),
        };
        let names: Vec<&str> = allowed
            .split(", ")
            .map(|a| a.trim_matches('`'))
            .filter(|a| !a.is_empty())
            .collect();
        let bare = field.trim_matches('`');
        let mut s = lang
            .pick("ukendt felt `{f}`", "unknown field `{f}`")
            .replace("{f}", bare);
        if let Some(near) = names.iter().find(|n| close(n, bare)) {
            s += &lang
                .pick("; mente du `{n}`?", "; did you mean `{n}`?")
                .replace("{n}", near);
        }
        if !names.is_empty() {
            s += &format!(
                " ({}: {})",
                lang.pick("tilladte felter", "allowed fields"),
                names.join(", ")
            );
        }
        return s;
    }
    if let Some(rest) = m.strip_prefix("missing field ") {
        return lang
            .pick("feltet {f} mangler", "the field {f} is missing")
            .replace("{f}", rest);
    }
    if m.starts_with("duplicate key") {
        return pick(
            "nøglen står her for anden gang; hver nøgle må kun stå én gang",
            "this key appears a second time; each key may appear only once",
        );
    }
    if m.starts_with("invalid basic string") || m.starts_with("invalid literal string") {
        return pick(
            "teksten mangler sit afsluttende anførselstegn; en tekst skal slutte på samme linje (brug \"\"\" for tekst over flere linjer)",
            "the text lacks its closing quote; a text must end on the same line (use \"\"\" for text over several lines)",
        );
    }
    if m.starts_with("invalid multiline basic string") || m.starts_with("invalid multiline") {
        return pick(
            "teksten over flere linjer mangler sine afsluttende \"\"\"",
            "the text over several lines lacks its closing \"\"\"",
        );
    }
    if m.starts_with("key with no value") {
        return pick(
            "nøglen mangler `=` og en værdi",
            "the key lacks `=` and a value",
        );
    }
    if m.starts_with("invalid unquoted key") || m.starts_with("invalid key") {
        return pick(
            "ugyldig nøgle: en nøgle består af bogstaver a-z, cifre, - og _",
            "invalid key: a key is made of letters a-z, digits, - and _",
        );
    }
    if m.starts_with("unclosed array") {
        return pick(
            "listen mangler sin afsluttende `]`",
            "the list lacks its closing `]`",
        );
    }
    if m.starts_with("unclosed table") || m.starts_with("unclosed array of tables") {
        return pick(
            "tabelnavnet mangler sin afsluttende `]`",
            "the table name lacks its closing `]`",
        );
    }
    if m.starts_with("unclosed inline table") {
        return pick(
            "tabellen mangler sin afsluttende `}`",
            "the table lacks its closing `}`",
        );
    }
    if m.starts_with("string values must be quoted") {
        return pick(
            "en tekst skal stå i anførselstegn, fx \"Tekst\"",
            "a text must stand in quotes, e.g. \"Text\"",
        );
    }
    if m.starts_with("missing escaped value") || m.starts_with("invalid escape") {
        return pick(
            "ugyldigt tegn efter \\ i teksten; skriv \\\\ for en omvendt skråstreg",
            "invalid character after \\ in the text; write \\\\ for a backslash",
        );
    }
    if m.starts_with("invalid value") {
        return pick("ugyldig værdi her", "invalid value here");
    }
    match lang {
        Lang::Da => {
            "filen kan ikke læses som TOML her; kontrollér anførselstegn, klammer og lighedstegn"
                .to_string()
        }
        Lang::En => m,
    }
}

/// `string "yes"` → `the text "yes"`.
fn found_value(found: &str, lang: Lang) -> String {
    let (kind, value) = found.split_once(' ').unwrap_or((found, ""));
    let value = value.trim_matches('`');
    let word = match kind {
        "string" => lang.pick("teksten", "the text"),
        "integer" => lang.pick("tallet", "the number"),
        "float" => lang.pick("decimaltallet", "the decimal number"),
        "boolean" => lang.pick("sandhedsværdien", "the truth value"),
        "sequence" => return lang.pick("en liste", "a list").to_string(),
        "map" => return lang.pick("en tabel", "a table").to_string(),
        _ => return found.to_string(),
    };
    format!("{word} {value}")
}

/// `a boolean` → `true or false`.
fn expected_value(expected: &str, lang: Lang) -> String {
    let e = expected.trim();
    let s = if e.contains("boolean") {
        lang.pick("true eller false", "true or false")
    } else if e.contains("string") {
        lang.pick("en tekst i anførselstegn", "a text in quotes")
    } else if e.contains("integer") || e.starts_with("i") || e.starts_with("u") {
        lang.pick("et helt tal", "a whole number")
    } else if e.contains("sequence") {
        lang.pick("en liste", "a list")
    } else if e.contains("map") || e.contains("struct") {
        lang.pick("en tabel", "a table")
    } else {
        return e.to_string();
    };
    s.to_string()
}

/// Whether two names are at most two edits apart (a typo such as `titel` for `title`).
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()] <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parsers_words_become_plain_danish() {
        let da = |m| plain(m, Lang::Da);
        assert_eq!(
            da("invalid type: string \"yes\", expected a boolean"),
            "forkert slags værdi: teksten \"yes\" står, hvor der skal stå true eller false"
        );
        assert_eq!(
            da("unknown field `titel`, expected one of `id`, `title`"),
            "ukendt felt `titel`; mente du `title`? (tilladte felter: id, title)"
        );
        assert!(da("invalid basic string, expected `\"`").starts_with("teksten mangler"));
        assert_eq!(da("missing field `title`"), "feltet `title` mangler");
        assert!(da("something new").starts_with("filen kan ikke læses som TOML"));
        assert_eq!(
            plain("invalid type: integer `5`, expected a string", Lang::En),
            "wrong kind of value: the number 5 stands where a text in quotes belongs"
        );
    }
}
