//! A stand-in for the Application Insights ingestion endpoint on loopback:
//! it accepts what the exporter posts to `/v2/track`, unzips it and keeps
//! it, so a test sees exactly what would leave for Azure. The exporter
//! always speaks https, so the server has a self-signed certificate made at
//! start, and `client()` returns an exporter client that trusts it.

use std::io::Read;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::Value;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

type Captured = Arc<Mutex<Vec<String>>>;

pub struct IngestionServer {
    address: String,
    certificate_pem: String,
    bodies: Captured,
}

impl IngestionServer {
    pub async fn start() -> Self {
        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .expect("self-signed certificate");
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
        let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
        let tls = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert.cert.der().clone()], key)
            .expect("TLS server config");
        let acceptor = TlsAcceptor::from(Arc::new(tls));

        let bodies = Captured::default();
        let router = Router::new()
            .fallback(capture)
            .with_state(Arc::clone(&bodies));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the capture server");
        let address = format!("https://{}", listener.local_addr().expect("bound"));
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let service = TowerToHyperService::new(router.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        IngestionServer {
            address,
            certificate_pem: cert.cert.pem(),
            bodies,
        }
    }

    /// A connection string that sends everything here. Any GUID is a valid
    /// instrumentation key.
    pub fn connection_string(&self) -> String {
        format!(
            "InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint={}/",
            self.address
        )
    }

    /// A blocking client for the exporter that trusts this server. Built on
    /// a thread of its own: a blocking client cannot be built in a runtime.
    pub fn client(&self) -> reqwest::blocking::Client {
        let pem = self.certificate_pem.clone();
        std::thread::spawn(move || {
            let cert = reqwest::Certificate::from_pem(pem.as_bytes()).expect("PEM certificate");
            reqwest::blocking::Client::builder()
                .tls_certs_only([cert])
                .build()
                .expect("exporter client")
        })
        .join()
        .expect("client thread")
    }

    /// Every request body received so far, as sent (after gunzip).
    pub fn raw(&self) -> String {
        self.bodies.lock().expect("capture lock").join("\n")
    }

    /// The request telemetry items (`RequestData`) received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.bodies
            .lock()
            .expect("capture lock")
            .iter()
            .flat_map(|body| {
                let batch: Vec<Value> =
                    serde_json::from_str(body).expect("ingestion body is a JSON array");
                batch
            })
            .filter(|e| e["data"]["baseType"] == "RequestData")
            .collect()
    }
}

async fn capture(
    State(bodies): State<Captured>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let gzipped = headers
        .get("content-encoding")
        .is_some_and(|v| v.as_bytes() == b"gzip");
    let mut text = String::new();
    if gzipped {
        flate2::read::GzDecoder::new(&body[..])
            .read_to_string(&mut text)
            .expect("exporter sends valid gzip");
    } else {
        text = String::from_utf8(body.to_vec()).expect("exporter sends UTF-8");
    }
    bodies.lock().expect("capture lock").push(text);
    (StatusCode::OK, "{}")
}
