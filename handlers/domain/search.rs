//! Full-text search without loading an index into memory. The store only
//! answers equality and range queries, so every distinct normalized word of
//! a file (its name and its extracted text) becomes one small `term`
//! document in the project's partition, with a deterministic id. A search
//! is then one single-partition equality query on `term` for the first
//! word, and point reads of the other words' term documents of each hit.

use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

use super::ids::FileId;

/// Distinct terms kept per file. Beyond it the rest of the text is not
/// searchable (the index entry says so); it bounds the documents, the write
/// cost and the time one upload can take from its project's partition.
pub const TERMS_PER_FILE_MAX: usize = 5_000;
/// Longer "words" are hashes, base64 or garbage, not something people type.
pub const TERM_MAX_CHARS: usize = 64;
pub const TERM_MIN_CHARS: usize = 2;
/// Words per query: each costs one query or point read per candidate.
pub const QUERY_WORDS_MAX: usize = 8;
/// Characters of extracted text kept in the index entry as an excerpt.
pub const EXCERPT_MAX_CHARS: usize = 1_000;
/// A run of bytes without a separator longer than this is cut; it could
/// not produce a term of at most `TERM_MAX_CHARS` anyway.
const CARRY_MAX_BYTES: usize = 4 * TERM_MAX_CHARS * 4;

pub const TERM_KIND: &str = "term";

/// The normalized terms of a text: lowercase runs of letters and digits of
/// 2 to 64 characters.
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| (TERM_MIN_CHARS..=TERM_MAX_CHARS).contains(&w.chars().count()))
        .map(str::to_lowercase)
}

/// The id of the term document of `term` for `file`: deterministic, so
/// that re-indexing rewrites the same documents and a search checks a term
/// with a point read.
pub fn term_doc_id(file: &FileId, term: &str) -> String {
    let digest = Sha256::digest(term.as_bytes());
    format!("term-{file}-{}", hex::encode(&digest[..16]))
}

/// The words of a search query, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchWords(Vec<String>);

impl SearchWords {
    pub fn parse(q: &str) -> Result<Self, String> {
        let mut words: Vec<String> = Vec::new();
        for t in terms(q) {
            if !words.contains(&t) {
                words.push(t);
            }
        }
        if words.is_empty() {
            return Err("needs a word of at least 2 letters or digits".into());
        }
        if words.len() > QUERY_WORDS_MAX {
            return Err(format!("at most {QUERY_WORDS_MAX} words"));
        }
        Ok(SearchWords(words))
    }

    /// The first word, whose term documents are queried.
    pub fn first(&self) -> &str {
        &self.0[0]
    }

    /// The other words, checked by point reads.
    pub fn rest(&self) -> &[String] {
        &self.0[1..]
    }
}

/// Collects the distinct terms of a text fed in pieces (a streamed file),
/// up to `TERMS_PER_FILE_MAX`, and the beginning of the text as an excerpt.
#[derive(Debug, Default)]
pub struct TermCollector {
    terms: BTreeSet<String>,
    truncated: bool,
    carry: Vec<u8>,
    excerpt: String,
    chars: u64,
}

impl TermCollector {
    pub fn feed_text(&mut self, text: &str) {
        if self.excerpt.chars().count() < EXCERPT_MAX_CHARS {
            let room = EXCERPT_MAX_CHARS - self.excerpt.chars().count();
            self.excerpt.extend(text.chars().take(room));
        }
        self.chars += text.chars().count() as u64;
        if self.truncated {
            return;
        }
        for t in terms(text) {
            if self.terms.len() >= TERMS_PER_FILE_MAX && !self.terms.contains(&t) {
                self.truncated = true;
                return;
            }
            self.terms.insert(t);
        }
    }

    /// Feed raw UTF-8 bytes whose chunk borders may split a word or a
    /// character: only the part up to the last ASCII separator is read now,
    /// as an ASCII byte never occurs inside a multi-byte character.
    pub fn feed_bytes(&mut self, chunk: &[u8]) {
        self.carry.extend_from_slice(chunk);
        let cut = self
            .carry
            .iter()
            .rposition(|b| b.is_ascii() && !b.is_ascii_alphanumeric())
            .map(|i| i + 1)
            .or((self.carry.len() > CARRY_MAX_BYTES).then_some(self.carry.len()));
        if let Some(cut) = cut {
            let rest = self.carry.split_off(cut);
            let ready = std::mem::replace(&mut self.carry, rest);
            self.feed_text(&String::from_utf8_lossy(&ready));
        }
    }

    pub fn finish(mut self) -> CollectedText {
        let rest = std::mem::take(&mut self.carry);
        self.feed_text(&String::from_utf8_lossy(&rest));
        CollectedText {
            terms: self.terms,
            truncated: self.truncated,
            excerpt: self.excerpt,
            chars: self.chars,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct CollectedText {
    pub terms: BTreeSet<String>,
    /// More distinct terms than `TERMS_PER_FILE_MAX` occurred.
    pub truncated: bool,
    pub excerpt: String,
    pub chars: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lowercase_words_of_letters_and_digits() {
        let t: Vec<String> = terms("Beton-Schalung, Kran 3 / Lieferung 2026; Größe x").collect();
        assert_eq!(
            t,
            ["beton", "schalung", "kran", "lieferung", "2026", "größe"]
        );
    }

    #[test]
    fn words_split_across_chunks_are_found() {
        let mut c = TermCollector::default();
        for chunk in "Stahlträger für Baufeld Süd".as_bytes().chunks(3) {
            c.feed_bytes(chunk);
        }
        let got = c.finish();
        let want: BTreeSet<String> = ["stahlträger", "für", "baufeld", "süd"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(got.terms, want);
        assert!(!got.truncated);
    }

    #[test]
    fn terms_per_file_are_capped() {
        let mut c = TermCollector::default();
        let text: String = (0..TERMS_PER_FILE_MAX + 10)
            .map(|i| format!("w{i} "))
            .collect();
        c.feed_text(&text);
        let got = c.finish();
        assert_eq!(got.terms.len(), TERMS_PER_FILE_MAX);
        assert!(got.truncated);
    }

    #[test]
    fn a_query_needs_one_to_eight_words() {
        assert!(SearchWords::parse("a ,").is_err());
        assert!(SearchWords::parse("aa b c d e f g h i j k l m n o p q r s").is_ok());
        assert!(SearchWords::parse("aa bb cc dd ee ff gg hh ii").is_err());
        let w = SearchWords::parse("Beton beton Schalung").expect("valid");
        assert_eq!(w.first(), "beton");
        assert_eq!(w.rest(), ["schalung"]);
    }
}
