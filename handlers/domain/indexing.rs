//! What the `index-document` function learns from a file's bytes, read as a
//! stream in one pass: size, SHA-256, the media type sniffed from the bytes
//! (never the client's claim), the words of plain text, CSV, PDF and DOCX,
//! and the pixel size of images. Plain text is tokenized while it streams;
//! PDF and DOCX need random access, so they are held in memory up to
//! `EXTRACT_MAX_BYTES` and parsed on the blocking pool.

use futures::StreamExt;
use sha2::{Digest, Sha256};
use std::io::{BufReader, Cursor, Read};

use super::search::{CollectedText, TermCollector};
use crate::store::ByteStream;

/// Bytes read before sniffing: enough for every magic number and for the
/// image headers `imagesize` parses (JPEG dimensions may follow EXIF data).
pub const HEAD_BYTES: usize = 256 * 1024;
/// PDF and DOCX larger than this keep size, hash and type but no text: the
/// parsers need the whole file in memory, which must stay bounded.
pub const EXTRACT_MAX_BYTES: usize = 32 * 1024 * 1024;
/// Decompressed bytes a parser may inflate from one PDF stream or the DOCX
/// body, against compression bombs.
const INFLATE_MAX_BYTES: usize = 64 * 1024 * 1024;

pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const ZIP: &str = "application/zip";
pub const OCTET_STREAM: &str = "application/octet-stream";

/// The media type of a file from its first bytes. Formats with a magic
/// number come from `infer`; text has none, so UTF-8 without NUL bytes is
/// text, CSV when the name says so.
pub fn sniff(head: &[u8], file_name: &str) -> String {
    if let Some(t) = infer::get(head) {
        return t.mime_type().to_owned();
    }
    if looks_like_text(head) {
        if file_name.to_ascii_lowercase().ends_with(".csv") {
            "text/csv".to_owned()
        } else {
            "text/plain".to_owned()
        }
    } else {
        OCTET_STREAM.to_owned()
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // The head may end inside a multi-byte character.
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

/// What indexing found out.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub size: u64,
    pub sha256: String,
    pub media_type: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Indexed {
        text: Option<CollectedText>,
        dimensions: Option<(u32, u32)>,
        /// Why no text was extracted from a document that usually has some.
        note: Option<String>,
    },
    /// The bytes claim a format they do not hold (e.g. a corrupt PDF).
    Unindexable { reason: String },
}

enum Mode {
    Text(TermCollector),
    /// PDF, DOCX or ZIP, collected for parsing; `None` once past the limit.
    Document(Option<Vec<u8>>),
    Image,
    Other,
}

impl Mode {
    fn start(media_type: &str, head: &[u8]) -> Self {
        let mut mode = if media_type.starts_with("text/") {
            Mode::Text(TermCollector::default())
        } else if [PDF, DOCX, ZIP].contains(&media_type) {
            Mode::Document(Some(Vec::new()))
        } else if media_type.starts_with("image/") {
            Mode::Image
        } else {
            Mode::Other
        };
        mode.feed(head);
        mode
    }

    fn feed(&mut self, chunk: &[u8]) {
        match self {
            Mode::Text(c) => c.feed_bytes(chunk),
            Mode::Document(buf) => {
                if let Some(b) = buf {
                    if b.len() + chunk.len() > EXTRACT_MAX_BYTES {
                        *buf = None;
                    } else {
                        b.extend_from_slice(chunk);
                    }
                }
            }
            Mode::Image | Mode::Other => {}
        }
    }
}

/// Read the whole stream once and analyse it. An `Err` is a failure to
/// read (worth a retry), never a property of the file.
pub async fn analyze(mut body: ByteStream, file_name: &str) -> Result<Analysis, std::io::Error> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut head = Vec::new();
    let mut mode: Option<(String, Mode)> = None;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        hasher.update(&chunk);
        size += chunk.len() as u64;
        match &mut mode {
            Some((_, m)) => m.feed(&chunk),
            None => {
                head.extend_from_slice(&chunk);
                if head.len() >= HEAD_BYTES {
                    let t = sniff(&head, file_name);
                    let m = Mode::start(&t, &head);
                    mode = Some((t, m));
                }
            }
        }
    }
    let (mut media_type, mode) = match mode {
        Some(m) => m,
        None => {
            let t = sniff(&head, file_name);
            let m = Mode::start(&t, &head);
            (t, m)
        }
    };
    let outcome = match mode {
        Mode::Text(c) => Outcome::Indexed {
            text: Some(c.finish()),
            dimensions: None,
            note: None,
        },
        Mode::Document(None) => Outcome::Indexed {
            text: None,
            dimensions: None,
            note: Some(format!(
                "text not extracted: larger than {} MiB",
                EXTRACT_MAX_BYTES / (1024 * 1024)
            )),
        },
        Mode::Document(Some(bytes)) => {
            let kind = media_type.clone();
            let extracted = tokio::task::spawn_blocking(move || match kind.as_str() {
                PDF => pdf_text(&bytes).map(Some),
                DOCX => docx_text(&bytes).map(Some),
                _ => zipped_docx_text(&bytes),
            })
            .await;
            match extracted {
                Ok(Ok(text)) => {
                    if text.is_some() && media_type == ZIP {
                        media_type = DOCX.to_owned();
                    }
                    Outcome::Indexed {
                        text,
                        dimensions: None,
                        note: None,
                    }
                }
                Ok(Err(reason)) => Outcome::Unindexable { reason },
                // A parser that panics on hostile input has still only
                // failed to parse this one file.
                Err(_) => Outcome::Unindexable {
                    reason: "the document parser failed on this file".into(),
                },
            }
        }
        Mode::Image => match imagesize::blob_size(&head) {
            Ok(s) => Outcome::Indexed {
                text: None,
                dimensions: Some((clamp_u32(s.width), clamp_u32(s.height))),
                note: None,
            },
            Err(e) => Outcome::Unindexable {
                reason: format!("image header could not be read: {e}"),
            },
        },
        Mode::Other => Outcome::Indexed {
            text: None,
            dimensions: None,
            note: None,
        },
    };
    Ok(Analysis {
        size,
        sha256: hex::encode(hasher.finalize()),
        media_type,
        outcome,
    })
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn pdf_text(bytes: &[u8]) -> Result<CollectedText, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("not a readable PDF: {e}"))?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    if pages.is_empty() {
        return Err("the PDF has no pages".into());
    }
    let mut collector = TermCollector::default();
    let mut readable = 0usize;
    // Page by page, so one broken page does not hide the others' text.
    for text in doc
        .extract_text_chunks_with_limit(&pages, INFLATE_MAX_BYTES)
        .into_iter()
        .flatten()
    {
        readable += 1;
        collector.feed_text(&text);
        collector.feed_text("\n");
    }
    if readable == 0 {
        return Err("no page of the PDF could be read".into());
    }
    Ok(collector.finish())
}

/// A ZIP whose entry order `infer` does not recognise may still be a DOCX
/// (other writers than Word order entries differently); only then it has
/// text. Any other ZIP is indexed without text.
fn zipped_docx_text(bytes: &[u8]) -> Result<Option<CollectedText>, String> {
    let archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a readable ZIP: {e}"))?;
    if archive.index_for_name("word/document.xml").is_some() {
        docx_text(bytes).map(Some)
    } else {
        Ok(None)
    }
}

fn docx_text(bytes: &[u8]) -> Result<CollectedText, String> {
    use quick_xml::events::Event;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a readable DOCX (zip): {e}"))?;
    let body = archive
        .by_name("word/document.xml")
        .map_err(|_| "not a DOCX: word/document.xml is missing".to_owned())?;
    let mut reader =
        quick_xml::Reader::from_reader(BufReader::new(body.take(INFLATE_MAX_BYTES as u64)));
    let mut collector = TermCollector::default();
    let mut buf = Vec::new();
    let mut in_text = false;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "t" => in_text = true,
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "t" => in_text = false,
                // Paragraph ends separate words of adjacent paragraphs.
                "p" | "tab" | "br" => collector.feed_text("\n"),
                _ => {}
            },
            Ok(Event::Empty(e)) if matches!(e.local_name().as_ref(), "tab" | "br") => {
                collector.feed_text(" ");
            }
            Ok(Event::Text(t)) if in_text => collector.feed_text(&t),
            Ok(Event::GeneralRef(r)) if in_text => match r.resolve_char_ref() {
                Ok(Some(c)) => collector.feed_text(c.encode_utf8(&mut [0; 4])),
                _ => collector.feed_text(" "),
            },
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("the DOCX body is not well-formed XML: {e}")),
            _ => {}
        }
        buf.clear();
    }
    Ok(collector.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_trusts_bytes_not_names() {
        assert_eq!(sniff(b"%PDF-1.7\n...", "x.txt"), PDF);
        assert_eq!(sniff(b"Menge;Material\n3;Beton\n", "liste.csv"), "text/csv");
        assert_eq!(sniff("Grüße".as_bytes(), "a.pdf"), "text/plain");
        assert_eq!(sniff(&[0, 1, 2, 3, 0xff], "a.txt"), OCTET_STREAM);
        // A head cut inside a multi-byte character is still text.
        assert_eq!(sniff(&"Grüße".as_bytes()[..3], "a"), "text/plain");
    }
}
