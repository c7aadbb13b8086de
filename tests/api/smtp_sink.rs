//! A minimal SMTP server on loopback that accepts every mail and keeps the
//! conversation, so tests can watch the handler speak real SMTP.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub port: u16,
    transcript: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let sink = SmtpSink {
            port,
            transcript: Arc::default(),
        };
        let log = sink.transcript.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
                    let mut in_data = false;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Ok(mut l) = log.lock() {
                            l.push(line.clone());
                        }
                        let reply: &[u8] = if in_data {
                            if line == "." {
                                in_data = false;
                                b"250 2.0.0 queued\r\n"
                            } else {
                                continue;
                            }
                        } else {
                            let upper = line.to_ascii_uppercase();
                            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                                b"250-sink.test\r\n250 8BITMIME\r\n"
                            } else if upper.starts_with("DATA") {
                                in_data = true;
                                b"354 end with .\r\n"
                            } else if upper.starts_with("QUIT") {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                break;
                            } else {
                                b"250 OK\r\n"
                            }
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        sink
    }

    pub fn transcript(&self) -> String {
        self.transcript
            .lock()
            .map(|l| l.join("\n"))
            .unwrap_or_default()
    }
}
