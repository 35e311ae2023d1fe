//! Secret values found in exports never reach any output.

mod common;

use common::*;

const CANARY: &str = "CANARY-7f3a9c-secret-value";

fn leaky_export() -> tempfile::TempDir {
    let apps = format!(
        r#"[{{"id":"a1","appId":"b1","displayName":"Leaky","signInAudience":"AzureADMyOrg","requiredResourceAccess":[],
  "passwordCredentials":[{{"keyId":"k1","displayName":"new","secretText":"{CANARY}","hint":"CAN","startDateTime":"2026-10-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z"}}],
  "keyCredentials":[{{"keyId":"k2","type":"AsymmetricX509Cert","usage":"Verify","key":"-----BEGIN PRIVATE KEY-----{CANARY}-----END PRIVATE KEY-----","startDateTime":"2026-10-01T00:00:00Z","endDateTime":"2027-01-01T00:00:00Z"}}],
  "web":{{"implicitGrantSettings":{{"enableAccessTokenIssuance":"{CANARY}"}}}},
  "isFallbackPublicClient":"{CANARY}"}}]"#
    );
    let legacy = format!(
        r#"{{"odata.metadata":"x","objectType":"Application","objectId":"a2","appId":"b2","displayName":"Legacy",
  "passwordCredentials":[{{"keyId":"k3","value":"{CANARY}","startDate":"2026-10-01T00:00:00Z","endDate":"2027-01-01T00:00:00Z"}}]}}"#
    );
    dir_with(&[
        ("apps.json", apps.as_bytes()),
        ("legacy.json", legacy.as_bytes()),
        (
            "broken.json",
            format!(r#"{{"value":[{{"secretText":"{CANARY}" "#).as_bytes(),
        ),
    ])
}

#[test]
fn canary_secret_appears_in_no_output_of_any_command_or_format() {
    let dir = leaky_export();
    for cmd in ["scan", "inventory"] {
        for format in ["json", "table"] {
            let out = nhiscan()
                .args([cmd, "--format", format, "--now", NOW])
                .arg(dir.path())
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !stdout.contains(CANARY),
                "{cmd} {format} stdout leaks the secret"
            );
            assert!(
                !stderr.contains(CANARY),
                "{cmd} {format} stderr leaks the secret"
            );
            assert!(
                !stdout.contains("CANARY"),
                "{cmd} {format} leaks part of the secret"
            );
        }
    }
}

#[test]
fn each_exposure_is_reported_with_its_location() {
    let dir = leaky_export();
    let (code, report, _) = json("scan", &[dir.path()], &[]);
    assert_eq!(code, 3, "broken.json is an input error");
    let exposures: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check_id"] == "ENTRA-024")
        .collect();
    assert_eq!(
        exposures.len(),
        3,
        "secretText, private key and legacy value"
    );
    for f in exposures {
        assert_eq!(f["evidence"]["value"], "[redacted]");
        assert!(f["location"]["line"].as_u64().unwrap() >= 1);
    }
}
