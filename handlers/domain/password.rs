//! Passwords: the sign-up rule (NIST SP 800-63B: 10 to 128 characters, not
//! a common password, not guessable from patterns or from the person's own
//! address and names, no composition rules) and argon2id hashing. Hashing
//! runs on a few dedicated threads behind a semaphore, so logins can never
//! occupy the async workers or every core at once.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::{OnceCell, Semaphore, oneshot};

const MIN_CHARS: usize = 10;
const MAX_CHARS: usize = 128;
/// zxcvbn's "safely unguessable" level: more than 10^8 guesses. Below it lie
/// repeats (`aaaaaaaaaaaa`, `abababababab`), sequences (`1234567890ab`),
/// keyboard walks, dictionary words with digits, and the person's own
/// details (NIST SP 800-63B 3.1.1.2: context-specific words).
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
});

/// A password that satisfies the sign-up rule. Never logged, never stored.
pub struct NewPassword(String);

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WeakPassword {
    #[error("must be at least {MIN_CHARS} characters long")]
    TooShort,
    #[error("must be at most {MAX_CHARS} characters long")]
    TooLong,
    #[error("is too common; choose a less predictable password")]
    Common,
    #[error("must not contain your email address or name")]
    Personal,
    #[error("is too easy to guess{0}; a few unrelated words make a good password")]
    Guessable(String),
}

/// Personal words at least this long must not appear in the password at
/// all; shorter ones (`Eva`, `Li`) would forbid too much and are left to
/// the estimator.
const PERSONAL_CONTAINED_MIN: usize = 4;

/// Parts of a text: runs of letters and digits, three or more long.
fn parts(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
}

/// What the estimator should know of the person: the address and names,
/// whole and in parts.
fn estimator_inputs<'a>(personal: &[&'a str]) -> Vec<&'a str> {
    let mut words: Vec<&str> = personal.iter().map(|p| p.trim()).collect();
    words.extend(personal.iter().flat_map(|p| parts(p)));
    words.retain(|w| !w.is_empty());
    words
}

/// Words the password must not contain: the address's local part and the
/// names, whole and in parts, lower-cased. The domain is left to the
/// estimator: a company's domain word (`bau`, `info`) would forbid too much.
fn forbidden_words(personal: &[&str]) -> Vec<String> {
    let mut words = Vec::new();
    for p in personal {
        let mine = p.split('@').next().unwrap_or_default().trim();
        words.push(mine);
        words.extend(parts(mine));
    }
    words
        .into_iter()
        .filter(|w| w.chars().count() >= PERSONAL_CONTAINED_MIN)
        .map(str::to_lowercase)
        .collect()
}

impl NewPassword {
    /// `personal`: the person's email address and names.
    pub fn parse(raw: &str, personal: &[&str]) -> Result<Self, WeakPassword> {
        let n = raw.chars().count();
        if n < MIN_CHARS {
            return Err(WeakPassword::TooShort);
        } else if n > MAX_CHARS {
            return Err(WeakPassword::TooLong);
        } else if COMMON.contains(raw.to_lowercase().as_str()) {
            return Err(WeakPassword::Common);
        }
        let lower = raw.to_lowercase();
        if forbidden_words(personal)
            .iter()
            .any(|w| lower.contains(w.as_str()))
        {
            return Err(WeakPassword::Personal);
        }
        let estimate = zxcvbn::zxcvbn(raw, &estimator_inputs(personal));
        if estimate.score() < MIN_SCORE {
            let why = estimate
                .feedback()
                .and_then(|f| f.warning())
                .map(|w| format!(" ({})", w.to_string().trim_end_matches('.').to_lowercase()))
                .unwrap_or_default();
            return Err(WeakPassword::Guessable(why));
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl HashCost {
    /// OWASP's recommendation for argon2id: 19 MiB, 2 passes, 1 lane.
    pub const PRODUCTION: HashCost = HashCost {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    fn params(&self) -> Result<Params, argon2::Error> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Hashes and verifies passwords with argon2id at a configured cost.
pub struct PasswordHasher {
    cost: HashCost,
    permits: Arc<Semaphore>,
    threads: HashThreads,
    /// Verified against for unknown accounts, so that an unknown email costs
    /// the same time as a wrong password. Made on the first login that
    /// needs it, not at start: one hash at production cost is most of the
    /// start-up time.
    dummy_hash: OnceCell<String>,
}

/// Outcome of a verification.
#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but hashed with weaker parameters than configured now.
    YesButRehash,
}

impl PasswordHasher {
    pub fn new(cost: HashCost) -> Result<Self, HashError> {
        cost.params()
            .map_err(|e| HashError::Failed(e.to_string()))?;
        // One core fewer than the machine has: hashes at full parallelism
        // took every core, and a benchmark of an authenticated GET while
        // 16 clients logged in showed its p99 grow about ninefold (see
        // docs/PERFORMANCE.md). A single-core machine still gets one slot.
        let slots = std::thread::available_parallelism()
            .map_or(1, |n| n.get().saturating_sub(1))
            .max(1);
        Ok(PasswordHasher {
            cost,
            permits: Arc::new(Semaphore::new(slots)),
            threads: HashThreads::start(slots)?,
            dummy_hash: OnceCell::new(),
        })
    }

    pub fn cost(&self) -> HashCost {
        self.cost
    }

    /// Make the dummy hash now, beside the start-up, so that even the first
    /// unknown-account login costs one verification and no extra hash.
    pub fn prepare_in_background(self: &Arc<Self>) {
        let hasher = self.clone();
        tokio::spawn(async move {
            if let Err(e) = hasher.dummy_hash().await {
                tracing::warn!(error = %e, "the dummy password hash could not be made yet");
            }
        });
    }

    /// The dummy hash, made once on the hashing threads; concurrent first
    /// callers wait for the same one.
    async fn dummy_hash(&self) -> Result<&str, HashError> {
        let cost = self.cost;
        self.dummy_hash
            .get_or_try_init(|| {
                self.blocking(move || hash_blocking(cost, &uuid::Uuid::new_v4().to_string()))
            })
            .await
            .map(String::as_str)
    }

    pub async fn hash(&self, password: &NewPassword) -> Result<String, HashError> {
        self.hash_str(password.expose()).await
    }

    /// Hash a password the account already has, just verified, at today's
    /// cost. The sign-up rule is not asked again: it may have grown since.
    pub async fn rehash(&self, verified: &str) -> Result<String, HashError> {
        self.hash_str(verified).await
    }

    async fn hash_str(&self, password: &str) -> Result<String, HashError> {
        let cost = self.cost;
        let pw = password.to_owned();
        self.blocking(move || hash_blocking(cost, &pw)).await
    }

    /// Verify `password` against `stored`, or against the dummy hash when
    /// there is no account (the answer is then always `No`).
    pub async fn verify(
        &self,
        password: &str,
        stored: Option<&str>,
    ) -> Result<Verified, HashError> {
        let known = stored.is_some();
        let hash = match stored {
            Some(h) => h.to_owned(),
            None => self.dummy_hash().await?.to_owned(),
        };
        let pw = password.to_owned();
        let cost = self.cost;
        let verified = self
            .blocking(move || {
                let parsed =
                    PasswordHash::new(&hash).map_err(|e| HashError::Failed(e.to_string()))?;
                let ok = Argon2::default()
                    .verify_password(pw.as_bytes(), &parsed)
                    .is_ok();
                Ok(if !ok {
                    Verified::No
                } else if is_weaker(&parsed, cost) {
                    Verified::YesButRehash
                } else {
                    Verified::Yes
                })
            })
            .await?;
        Ok(if known { verified } else { Verified::No })
    }

    /// Runs `f` on a hashing thread once a slot is free. Waiting for the
    /// slot here (not in the threads' queue) means a request that goes
    /// away before its turn costs no hash.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| HashError::Failed(e.to_string()))?;
        let (tx, rx) = oneshot::channel();
        self.threads.run(Box::new(move || {
            // The caller may have gone away; its answer is then not needed.
            let _ = tx.send(f());
        }))?;
        rx.await
            .map_err(|_| HashError::Failed("the hashing thread stopped".into()))?
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Long-lived threads that do every hash. Each argon2 hash allocates its
/// whole memory cost (19 MiB in production), and glibc keeps freed memory
/// in the allocating thread's arena: on tokio's blocking pool, whose
/// threads come and go by the dozen, 16 clients logging in grew the
/// resident set to 0.7–2 GiB with one hash at a time (docs/PERFORMANCE.md).
/// On `n` fixed threads it stays near `n` × the memory cost.
struct HashThreads {
    jobs: mpsc::Sender<Job>,
}

impl HashThreads {
    fn start(n: usize) -> Result<Self, HashError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..n {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        // A poisoned lock only means another thread panicked
                        // while waiting; the receiver itself is intact.
                        let next = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(poisoned) => poisoned.into_inner().recv(),
                        };
                        let Ok(job) = next else {
                            return; // the hasher was dropped
                        };
                        // A panicking hash fails its own request (its answer
                        // channel drops), not the thread.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                })
                .map_err(|e| HashError::Failed(format!("cannot start a hashing thread: {e}")))?;
        }
        Ok(HashThreads { jobs })
    }

    fn run(&self, job: Job) -> Result<(), HashError> {
        self.jobs
            .send(job)
            .map_err(|_| HashError::Failed("no hashing thread is running".into()))
    }
}

fn hash_blocking(cost: HashCost, password: &str) -> Result<String, HashError> {
    let params = cost
        .params()
        .map_err(|e| HashError::Failed(e.to_string()))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Failed(e.to_string()))
}

/// A stored hash is weaker when it is not argon2id or any cost is lower.
fn is_weaker(hash: &PasswordHash<'_>, cost: HashCost) -> bool {
    let param = |name: &str| hash.params.get_decimal(name).unwrap_or(0);
    hash.algorithm.as_str() != "argon2id"
        || param("m") < cost.memory_kib
        || param("t") < cost.iterations
        || param("p") < cost.parallelism
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_up_rule_follows_nist() {
        assert_eq!(
            NewPassword::parse("short", &[]).err(),
            Some(WeakPassword::TooShort)
        );
        assert_eq!(
            NewPassword::parse(&"x".repeat(129), &[]).err(),
            Some(WeakPassword::TooLong)
        );
        assert_eq!(
            NewPassword::parse("1234567890", &[]).err(),
            Some(WeakPassword::Common)
        );
        assert_eq!(
            NewPassword::parse("Basketball", &[]).err(),
            Some(WeakPassword::Common)
        );
        assert!(
            NewPassword::parse("kranführer auf baustelle", &[]).is_ok(),
            "no composition rules"
        );
    }

    /// P4: an unknown account is verified against a hash of exactly the
    /// configured cost, so it takes the time of a wrong password.
    #[tokio::test]
    async fn unknown_accounts_verify_against_a_hash_of_the_configured_cost() {
        let cost = HashCost {
            memory_kib: 96,
            iterations: 2,
            parallelism: 1,
        };
        let hasher = Arc::new(PasswordHasher::new(cost).expect("hasher"));
        assert!(hasher.dummy_hash.get().is_none(), "nothing hashed at start");
        hasher.prepare_in_background();
        assert_eq!(
            hasher.verify("irgendwas-geraten", None).await.expect("v"),
            Verified::No
        );
        let dummy = hasher.dummy_hash.get().expect("made by the first need");
        let parsed = PasswordHash::new(dummy).expect("a PHC string");
        assert!(!is_weaker(&parsed, cost), "{dummy}");
        assert_eq!(parsed.params.get_decimal("m"), Some(96));
        assert_eq!(parsed.params.get_decimal("t"), Some(2));
    }

    #[test]
    fn trivial_and_personal_passwords_are_refused() {
        for trivial in [
            "            ",
            "aaaaaaaaaaaa",
            "abababababab",
            "1234567890ab",
        ] {
            assert!(
                matches!(
                    NewPassword::parse(trivial, &[]),
                    Err(WeakPassword::Guessable(_))
                ),
                "{trivial:?}"
            );
        }
        let me = ["eva.quirrelbach@bau.example", "Eva", "Quirrelbach"];
        assert_eq!(
            NewPassword::parse("Kran-Quirrelbach-Nord", &me).err(),
            Some(WeakPassword::Personal)
        );
        assert!(NewPassword::parse("Kran-Evakuierung-Nord", &me).is_ok());
        assert!(
            NewPassword::parse("Beispiel-Kran-Nord", &["a@beispiel.example"]).is_ok(),
            "the domain alone is left to the estimator"
        );
    }

    #[tokio::test]
    async fn hashes_verify_and_weaker_hashes_ask_for_rehash() {
        let cheap = HashCost {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        let stronger = HashCost {
            memory_kib: 128,
            iterations: 1,
            parallelism: 1,
        };
        let h1 = PasswordHasher::new(cheap).expect("hasher");
        let pw = NewPassword::parse("betonmischer-07", &[]).expect("ok");
        let stored = h1.hash(&pw).await.expect("hash");
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert_eq!(
            h1.verify("betonmischer-07", Some(&stored))
                .await
                .expect("v"),
            Verified::Yes
        );
        assert_eq!(
            h1.verify("wrong-password", Some(&stored)).await.expect("v"),
            Verified::No
        );
        assert_eq!(
            h1.verify("betonmischer-07", None).await.expect("v"),
            Verified::No
        );
        let h2 = PasswordHasher::new(stronger).expect("hasher");
        assert_eq!(
            h2.verify("betonmischer-07", Some(&stored))
                .await
                .expect("v"),
            Verified::YesButRehash
        );
    }

    /// One test runs the production parameters (the others lower the cost).
    #[tokio::test]
    async fn production_parameters_hash_and_verify() {
        let h = PasswordHasher::new(HashCost::PRODUCTION).expect("hasher");
        let pw = NewPassword::parse("turmdrehkran-2026", &[]).expect("ok");
        let stored = h.hash(&pw).await.expect("hash");
        assert!(stored.contains("m=19456,t=2,p=1"), "{stored}");
        assert_eq!(
            h.verify("turmdrehkran-2026", Some(&stored))
                .await
                .expect("v"),
            Verified::Yes
        );
    }
}
