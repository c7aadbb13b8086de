//! Project files (P7, P8, P10): streamed upload, download with ranges,
//! access by role, delete, the `index-document` blob trigger replayed as
//! the Functions host sends it, and full-text search.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::time::Duration;

use testkit::app::{TestApp, assert_problem, spawn_app, spawn_app_with};
use testkit::files::{form, host_blob_payload, png, search, upload, upload_form};

async fn replay_index(app: &TestApp, project: &str, file: &str, bytes: &[u8]) -> Value {
    let resp = app
        .post_json("/index-document", &host_blob_payload(project, file, bytes))
        .await;
    assert_eq!(resp.status(), 200, "index-document answers 2xx");
    resp.json().await.expect("invocation response")
}

async fn file_meta(app: &TestApp, token: &str, project: &str, file: &str) -> Value {
    let resp = app
        .get_auth(&format!("/api/projects/{project}/files/{file}"), token)
        .await;
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

fn count_kind(app: &TestApp, kind: &str) -> usize {
    app.all_documents("projects")
        .iter()
        .filter(|d| d.body["kind"] == kind)
        .count()
}

/// A one-page PDF whose text is `text`, written with lopdf.
fn pdf_with_text(text: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! {"Font" => dictionary! {"F1" => font_id}});
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        content.encode().expect("content"),
    ));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("pdf written");
    out
}

/// A minimal DOCX. With `body_first` the body is the first entry, which
/// the sniffer recognises; otherwise it comes last, as some writers do.
fn docx_with_text(text: &str, body_first: bool) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    if !body_first {
        zip.start_file("docProps/app.xml", opts).expect("entry");
        zip.write_all(b"<Properties/>").expect("write");
    }
    zip.start_file("word/document.xml", opts).expect("entry");
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">Tom &amp; Jerry</w:t></w:r></w:p></w:body></w:document>"#
    )
    .expect("write");
    zip.start_file("[Content_Types].xml", opts).expect("entry");
    zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#)
        .expect("write");
    zip.finish().expect("zip").into_inner()
}

#[tokio::test]
async fn p7_p8_p10_upload_index_search_download_and_delete() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let text = "Lieferung: 12 Paletten Zwergbetonmischer, Anlieferung Tor 3.\n".repeat(50);
    let bytes = text.clone().into_bytes();

    let before = app.audit_count();
    let file = upload(
        &app,
        &token,
        &project,
        "Lieferplan KW48.txt",
        bytes.clone(),
        &[("category", "logistics")],
    )
    .await;
    assert_eq!(app.audit_count(), before + 1, "P10: one entry per upload");
    let id = file["id"].as_str().expect("id").to_owned();
    assert_eq!(file["name"], "Lieferplan KW48.txt");
    assert_eq!(file["category"], "logistics");
    assert_eq!(file["size"], bytes.len());
    assert_eq!(file["indexStatus"], "pending");
    assert_eq!(file["contentType"], "text/plain");

    // Before indexing, only the name is searchable.
    assert_eq!(
        search(&app, &token, &project, "lieferplan").await,
        [id.as_str()]
    );
    assert!(
        search(&app, &token, &project, "zwergbetonmischer")
            .await
            .is_empty()
    );

    let answer = replay_index(&app, &project, &id, &bytes).await;
    assert_eq!(answer["ReturnValue"]["outcome"], "indexed");
    let meta = file_meta(&app, &token, &project, &id).await;
    assert_eq!(meta["indexStatus"], "indexed");
    assert_eq!(meta["index"]["mediaType"], "text/plain");
    assert_eq!(meta["index"]["size"], bytes.len());
    assert_eq!(meta["index"]["sha256"], meta["sha256"]);

    // A word that occurs only inside the file, and two words at once.
    assert_eq!(
        search(&app, &token, &project, "Zwergbetonmischer").await,
        [id.as_str()]
    );
    assert_eq!(
        search(&app, &token, &project, "paletten%20tor").await,
        [id.as_str()]
    );
    assert!(
        search(&app, &token, &project, "paletten%20kran")
            .await
            .is_empty()
    );

    let resp = app
        .get_auth(
            &format!("/api/projects/{project}/files/{id}/content"),
            &token,
        )
        .await;
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "text/plain; charset=utf-8");
    assert_eq!(h["content-length"], bytes.len().to_string().as_str());
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"Lieferplan KW48.txt\"; filename*=UTF-8''Lieferplan%20KW48.txt"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("sandbox")
    );
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(resp.bytes().await.expect("body").as_ref(), bytes.as_slice());

    let before = app.audit_count();
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/files/{id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.audit_count(), before + 1, "P10: one entry per delete");
    let resp = app
        .get_auth(&format!("/api/projects/{project}/files/{id}"), &token)
        .await;
    assert_problem(resp, 404).await;
    let resp = app
        .get_auth(
            &format!("/api/projects/{project}/files/{id}/content"),
            &token,
        )
        .await;
    assert_problem(resp, 404).await;
    assert!(
        search(&app, &token, &project, "zwergbetonmischer")
            .await
            .is_empty(),
        "P8"
    );
    assert!(
        search(&app, &token, &project, "lieferplan")
            .await
            .is_empty(),
        "P8"
    );
    assert_eq!(
        app.blobs(&format!("projects/{project}/files/{id}")),
        Vec::<String>::new(),
        "P8: blob gone"
    );
    assert_eq!(count_kind(&app, "term"), 0, "P8: no term left");
    assert_eq!(count_kind(&app, "fileIndex"), 0, "P8: no index entry left");
    assert_eq!(count_kind(&app, "file"), 0);

    // A redelivered event after the delete is a harmless no-op.
    let answer = replay_index(&app, &project, &id, &bytes).await;
    assert_eq!(answer["ReturnValue"]["outcome"], "gone");
    assert_eq!(count_kind(&app, "term"), 0);
}

#[tokio::test]
async fn p10_index_document_replayed_five_times_leaves_one_entry() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let pdf = pdf_with_text("Baustelleneinrichtungsplan Kranstandort Nord");
    let file = upload(&app, &token, &project, "plan.pdf", pdf.clone(), &[]).await;
    let id = file["id"].as_str().expect("id").to_owned();
    assert_eq!(file["contentType"], "application/pdf");

    let mut terms_after_first = None;
    for _ in 0..5 {
        let answer = replay_index(&app, &project, &id, &pdf).await;
        assert_eq!(answer["ReturnValue"]["outcome"], "indexed", "{answer}");
        let terms = count_kind(&app, "term");
        assert_eq!(
            *terms_after_first.get_or_insert(terms),
            terms,
            "same terms each time"
        );
    }
    assert_eq!(count_kind(&app, "fileIndex"), 1, "one index entry");
    let indexed_entries = app
        .all_documents("projects")
        .iter()
        .filter(|d| d.body["action"] == "file.indexed")
        .count();
    assert_eq!(indexed_entries, 1, "one audit entry for indexing");
    assert_eq!(
        search(&app, &token, &project, "kranstandort").await,
        [id.as_str()]
    );
    let meta = file_meta(&app, &token, &project, &id).await;
    assert_eq!(meta["index"]["mediaType"], "application/pdf");
    assert!(
        meta["index"]["excerpt"]
            .as_str()
            .expect("excerpt")
            .contains("Kranstandort")
    );
}

#[tokio::test]
async fn a_corrupt_pdf_ends_unindexable_with_a_2xx_answer() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let mut corrupt = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R".to_vec();
    corrupt.extend(std::iter::repeat_n(0xA5u8, 4096));
    let file = upload(&app, &token, &project, "kaputt.pdf", corrupt.clone(), &[]).await;
    let id = file["id"].as_str().expect("id").to_owned();
    let answer = replay_index(&app, &project, &id, &corrupt).await;
    assert_eq!(answer["ReturnValue"]["outcome"], "unindexable");
    let meta = file_meta(&app, &token, &project, &id).await;
    assert_eq!(meta["indexStatus"], "unindexable");
    assert!(
        meta["index"]["reason"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    assert_eq!(meta["index"]["mediaType"], "application/pdf");
}

#[tokio::test]
async fn docx_text_csv_and_image_dimensions_are_indexed() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;

    let docx = docx_with_text("Bewehrungsstahl Lieferschein", true);
    let d = upload(&app, &token, &project, "bericht.docx", docx.clone(), &[]).await;
    let did = d["id"].as_str().expect("id").to_owned();
    replay_index(&app, &project, &did, &docx).await;
    assert_eq!(
        search(&app, &token, &project, "bewehrungsstahl").await,
        [did.as_str()]
    );
    assert_eq!(search(&app, &token, &project, "jerry").await, [did]);

    // Entries in another order: sniffed as a ZIP, still indexed as DOCX.
    let other_order = docx_with_text("Baustellenordnung", false);
    let o = upload(
        &app,
        &token,
        &project,
        "ordnung.docx",
        other_order.clone(),
        &[],
    )
    .await;
    let oid = o["id"].as_str().expect("id").to_owned();
    assert_eq!(o["contentType"], "application/zip");
    replay_index(&app, &project, &oid, &other_order).await;
    let meta = file_meta(&app, &token, &project, &oid).await;
    assert_eq!(
        meta["index"]["mediaType"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert_eq!(
        search(&app, &token, &project, "baustellenordnung").await,
        [oid.as_str()]
    );

    let csv = b"Material;Menge\nSchalungstafeln;40\n".to_vec();
    let c = upload(&app, &token, &project, "mengen.csv", csv.clone(), &[]).await;
    let cid = c["id"].as_str().expect("id").to_owned();
    assert_eq!(c["contentType"], "text/csv");
    replay_index(&app, &project, &cid, &csv).await;
    assert_eq!(
        search(&app, &token, &project, "schalungstafeln").await,
        [cid.as_str()]
    );

    let image = png(640, 480);
    let p = upload(
        &app,
        &token,
        &project,
        "foto.png",
        image.clone(),
        &[("category", "photo")],
    )
    .await;
    let pid = p["id"].as_str().expect("id").to_owned();
    assert_eq!(p["contentType"], "image/png");
    replay_index(&app, &project, &pid, &image).await;
    let meta = file_meta(&app, &token, &project, &pid).await;
    assert_eq!(meta["indexStatus"], "indexed");
    assert_eq!(meta["index"]["width"], 640);
    assert_eq!(meta["index"]["height"], 480);
}

#[tokio::test]
async fn the_in_process_trigger_indexes_uploads_without_a_host() {
    let app = spawn_app_with(&[("LMS_INDEX_IN_PROCESS", "true")]).await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let file = upload(
        &app,
        &token,
        &project,
        "notiz.txt",
        b"Hubsteiger Wartung Freitag".to_vec(),
        &[],
    )
    .await;
    let id = file["id"].as_str().expect("id").to_owned();
    let mut status = Value::Null;
    for _ in 0..100 {
        status = file_meta(&app, &token, &project, &id).await["indexStatus"].clone();
        if status == "indexed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "indexed");
    assert_eq!(search(&app, &token, &project, "hubsteiger").await, [id]);
}

#[tokio::test]
async fn p7_outsiders_get_404_and_members_do_not_see_restricted_files() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let (_m, member) = app
        .join_as(&owner, &project, "sub@elektro.example", "member")
        .await;
    let (_v, viewer) = app
        .join_as(&owner, &project, "view@planer.example", "viewer")
        .await;
    let (_x, stranger) = app.signed_in("other@konkurrenz.example").await;
    let other_project = app.create_project(&stranger).await;

    let open = upload(
        &app,
        &owner,
        &project,
        "offen.txt",
        b"Baustrom Verteiler".to_vec(),
        &[],
    )
    .await;
    let open_id = open["id"].as_str().expect("id").to_owned();
    let secret = upload(
        &app,
        &owner,
        &project,
        "vertrag.txt",
        b"Pauschalpreis Geheimklausel".to_vec(),
        &[("restricted", "true")],
    )
    .await;
    let secret_id = secret["id"].as_str().expect("id").to_owned();
    replay_index(&app, &project, &secret_id, b"Pauschalpreis Geheimklausel").await;
    assert_eq!(secret["restricted"], true);

    for id in [&open_id, &secret_id] {
        for path in [
            format!("/api/projects/{project}/files/{id}"),
            format!("/api/projects/{project}/files/{id}/content"),
        ] {
            assert_problem(app.get_auth(&path, &stranger).await, 404).await;
        }
        let resp = app
            .send_auth(
                Method::DELETE,
                &format!("/api/projects/{project}/files/{id}"),
                &stranger,
                None,
            )
            .await;
        assert_problem(resp, 404).await;
        // The other project's member asks through their own project.
        let resp = app
            .get_auth(
                &format!("/api/projects/{other_project}/files/{id}"),
                &stranger,
            )
            .await;
        assert_problem(resp, 404).await;
    }
    assert_problem(
        app.get_auth(&format!("/api/projects/{project}/files"), &stranger)
            .await,
        404,
    )
    .await;

    for token in [&member, &viewer] {
        let list: Value = app
            .get_json(&format!("/api/projects/{project}/files"), token)
            .await;
        let ids: Vec<&str> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|f| f["id"].as_str())
            .collect();
        assert_eq!(ids, [open_id.as_str()], "restricted files are not listed");
        for path in [
            format!("/api/projects/{project}/files/{secret_id}"),
            format!("/api/projects/{project}/files/{secret_id}/content"),
        ] {
            assert_problem(app.get_auth(&path, token).await, 404).await;
        }
        assert!(
            search(&app, token, &project, "geheimklausel")
                .await
                .is_empty()
        );
        assert!(search(&app, token, &project, "vertrag").await.is_empty());
        let resp = app
            .send_auth(
                Method::DELETE,
                &format!("/api/projects/{project}/files/{secret_id}"),
                token,
                None,
            )
            .await;
        assert_problem(resp, 404).await;
    }
    assert_eq!(
        search(&app, &owner, &project, "geheimklausel").await,
        [secret_id.as_str()]
    );
    let resp = app
        .get_auth(
            &format!("/api/projects/{project}/files/{secret_id}/content"),
            &owner,
        )
        .await;
    assert_eq!(resp.status(), 200);

    // Members upload but not restricted; viewers don't upload.
    let resp = upload_form(
        &app,
        &member,
        &project,
        form("x.txt", b"x".to_vec(), &[("restricted", "true")]),
    )
    .await;
    assert_problem(resp, 403).await;
    // The flag before the file: refused before the bytes are stored.
    let flag_first = Form::new()
        .text("restricted", "true")
        .part("file", Part::bytes(b"x".to_vec()).file_name("x.txt"));
    assert_problem(upload_form(&app, &member, &project, flag_first).await, 403).await;
    let resp = upload_form(&app, &viewer, &project, form("x.txt", b"x".to_vec(), &[])).await;
    assert_problem(resp, 403).await;
    assert!(
        app.blobs(&format!("projects/{project}/")).len() == 2,
        "refused uploads leave no blob"
    );

    // The uploader may delete their file, a member not someone else's.
    let mine = upload(
        &app,
        &member,
        &project,
        "meins.txt",
        "Gerüst".as_bytes().to_vec(),
        &[],
    )
    .await;
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/files/{open_id}"),
            &member,
            None,
        )
        .await;
    assert_problem(resp, 403).await;
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!(
                "/api/projects/{project}/files/{}",
                mine["id"].as_str().expect("id")
            ),
            &member,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
}

#[tokio::test]
async fn ranges_resume_downloads() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let file = upload(&app, &token, &project, "daten.bin", bytes.clone(), &[]).await;
    let id = file["id"].as_str().expect("id");
    let url = app.url(&format!("/api/projects/{project}/files/{id}/content"));
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .header("Range", "bytes=1000-1999")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 206);
    assert_eq!(resp.headers()["content-range"], "bytes 1000-1999/100000");
    assert_eq!(resp.headers()["content-length"], "1000");
    assert_eq!(
        resp.bytes().await.expect("body").as_ref(),
        &bytes[1000..2000]
    );
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .header("Range", "bytes=99990-")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 206);
    assert_eq!(resp.bytes().await.expect("body").as_ref(), &bytes[99_990..]);
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .header("Range", "bytes=200000-")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.headers()["content-range"], "bytes */100000");
    assert_problem(resp, 416).await;
    // A range of another version is answered with the whole file.
    let resp = app
        .client
        .get(&url)
        .bearer_auth(&token)
        .header("Range", "bytes=0-9")
        .header("If-Range", "\"other\"")
        .send()
        .await
        .expect("sent");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/octet-stream");
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413_and_leaves_nothing() {
    let app = spawn_app_with(&[("LMS_MAX_UPLOAD_BYTES", "4096")]).await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let before = app.audit_count();
    // Streamed without a length, so the limit is hit mid-body.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..8).map(|_| Ok(vec![b'x'; 1024])).collect();
    let part = Part::stream(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .file_name("gross.txt");
    let resp = upload_form(&app, &token, &project, Form::new().part("file", part)).await;
    let problem = assert_problem(resp, 413).await;
    assert!(problem["detail"].as_str().expect("detail").contains("4096"));
    // Declared too large: refused before reading.
    let resp = upload_form(
        &app,
        &token,
        &project,
        form("gross.txt", vec![b'x'; 200_000], &[]),
    )
    .await;
    assert_problem(resp, 413).await;
    assert!(app.blobs("projects/").is_empty(), "no partial blob");
    assert_eq!(count_kind(&app, "file"), 0);
    assert_eq!(app.audit_count(), before);
    // Exactly at the limit is fine.
    upload(&app, &token, &project, "genau.txt", vec![b'y'; 4096], &[]).await;
}

#[tokio::test]
async fn malformed_uploads_are_precise_problems() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/files"),
            &token,
            Some(&json!({"file": "x"})),
        )
        .await;
    assert_problem(resp, 415).await;
    let resp = upload_form(
        &app,
        &token,
        &project,
        Form::new().text("category", "photo"),
    )
    .await;
    assert_eq!(
        assert_problem(resp, 422).await["errors"][0]["field"],
        "file"
    );
    let resp = upload_form(
        &app,
        &token,
        &project,
        form("a.txt", b"a".to_vec(), &[("category", "video")]),
    )
    .await;
    assert_eq!(
        assert_problem(resp, 422).await["errors"][0]["field"],
        "category"
    );
    let resp = upload_form(
        &app,
        &token,
        &project,
        form("a.txt", b"a".to_vec(), &[("restricted", "yes")]),
    )
    .await;
    assert_eq!(
        assert_problem(resp, 422).await["errors"][0]["field"],
        "restricted"
    );
    let resp = upload_form(
        &app,
        &token,
        &project,
        form("a.txt", b"a".to_vec(), &[("colour", "red")]),
    )
    .await;
    assert_eq!(
        assert_problem(resp, 422).await["errors"][0]["field"],
        "colour"
    );
    let resp = upload_form(&app, &token, &project, form("../", b"a".to_vec(), &[])).await;
    assert_eq!(
        assert_problem(resp, 422).await["errors"][0]["field"],
        "file"
    );
    let resp = app
        .get_auth(&format!("/api/projects/{project}/files?q=a"), &token)
        .await;
    assert_eq!(assert_problem(resp, 422).await["errors"][0]["field"], "q");
    assert!(app.blobs("projects/").is_empty(), "no blob left behind");
}

#[tokio::test]
async fn p8_deleting_a_project_removes_its_files_and_index() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let file = upload(
        &app,
        &token,
        &project,
        "plan.txt",
        b"Turmdrehkran Fundament".to_vec(),
        &[],
    )
    .await;
    replay_index(&app, &project, file["id"].as_str().expect("id"), b"").await;
    assert!(count_kind(&app, "term") > 0);
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}"),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert!(app.blobs("projects/").is_empty());
    for kind in ["file", "fileIndex", "term"] {
        assert_eq!(count_kind(&app, kind), 0, "{kind}");
    }
}

#[tokio::test]
async fn index_document_streams_past_a_large_inlined_blob_and_reads_uri_or_name() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    // 3 MiB inlined as base64 is far beyond the JSON body limit (256 KiB).
    let bytes = "Containerstellplatz ".repeat(160 * 1024).into_bytes();
    let file = upload(&app, &token, &project, "gross.txt", bytes.clone(), &[]).await;
    let id = file["id"].as_str().expect("id").to_owned();
    let answer = replay_index(&app, &project, &id, &bytes).await;
    assert_eq!(answer["ReturnValue"]["outcome"], "indexed");
    assert_eq!(
        search(&app, &token, &project, "containerstellplatz").await,
        [id.as_str()]
    );

    // Only `Uri`, encoded once.
    let mut payload = host_blob_payload(&project, &id, b"");
    let metadata = payload["Metadata"].as_object_mut().expect("metadata");
    metadata.remove("name");
    metadata.insert(
        "Uri".into(),
        json!(format!(
            "https://lmsfiles.blob.core.windows.net/project-files/projects/{project}/files/{id}"
        )),
    );
    let resp = app.post_json("/index-document", &payload).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["ReturnValue"]["outcome"], "indexed");
    assert_eq!(count_kind(&app, "fileIndex"), 1);

    // A blob that is no project file is acknowledged and left alone.
    let mut payload = host_blob_payload(&project, &id, b"");
    payload["Metadata"]["name"] = json!("\"elsewhere/readme.txt\"");
    let resp = app.post_json("/index-document", &payload).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["ReturnValue"]["outcome"], "ignored");

    // An unparseable invocation fails it.
    let resp = app
        .client
        .post(app.url("/index-document"))
        .header("content-type", "application/json")
        .body("{\"Data\": ")
        .send()
        .await
        .expect("sent");
    assert_problem(resp, 400).await;
}

#[tokio::test]
async fn a_failure_to_read_the_blob_answers_non_2xx_so_the_host_retries() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let file = upload(
        &app,
        &token,
        &project,
        "notiz.txt",
        b"Kranschein".to_vec(),
        &[],
    )
    .await;
    let id = file["id"].as_str().expect("id").to_owned();
    // A folder where the blob file was: opening works, reading fails.
    let path = app
        .data_dir
        .path()
        .join(format!("blobs/projects/{project}/files/{id}"));
    std::fs::remove_file(&path).expect("remove blob file");
    std::fs::create_dir(&path).expect("folder in its place");
    let resp = app
        .post_json("/index-document", &host_blob_payload(&project, &id, b""))
        .await;
    assert!(resp.status().is_server_error(), "{}", resp.status());
    assert_eq!(
        file_meta(&app, &token, &project, &id).await["indexStatus"],
        "pending"
    );
}
