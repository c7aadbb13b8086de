// The consent wording an inviter confirms (P5), word for word as the API
// stores its version (handlers/domain/invitations.rs: CONSENT_WORDING and
// CONSENT_WORDING_VERSION). The API does not serve the text, so it is kept
// here; consent.test.ts fails when the two differ.
export const CONSENT_WORDING_VERSION = '2026-11-01';
export const CONSENT_WORDING =
  'I confirm that the person I invite has agreed to be invited to this project and to the processing of their data as described in the Insite LMS privacy policy.';
