//! Bearer tokens from an identity provider, end to end: keys made in the test and
//! published as a JWKS file, tokens signed with them. A good token acts in the role,
//! agency and team its claims give and is audited under its subject; an expired token,
//! a token for another audience or issuer, one signed by another key and a malformed
//! one get 401 on every route of the table; Vigil's own keys keep working beside them.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine;
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tower::ServiceExt;
use vigil_access::Role;
use vigil_access::oidc::OidcSettings;
use vigil_store::EventStore;
use vigil_store_sqlite::{Durability, SqliteStore};
use vigil_web::oidc::{JwksSource, OidcVerifier};
use vigil_web::{AccessSettings, AppState, WebLimits, router};

const ISSUER: &str = "https://id.quillshire.example.invalid";

struct Signer {
    encoding: EncodingKey,
    public_x: String,
}

fn signer() -> Signer {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    Signer {
        public_x: base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(pair.public_key().as_ref()),
        encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
    }
}

fn token(signer: &Signer, changes: Value) -> String {
    let now = jiff::Timestamp::now().as_second();
    let mut claims = json!({
        "iss": ISSUER, "aud": "vigil", "sub": "u-1", "exp": now + 600,
        "name": "Ana Analyst (fictional)", "vigil_role": "mash_analyst",
    });
    for (key, value) in changes.as_object().unwrap() {
        claims[key] = value.clone();
    }
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("k1".into());
    jsonwebtoken::encode(&header, &claims, &signer.encoding).unwrap()
}

async fn call(
    router: &axum::Router,
    method: Method,
    path: &str,
    bearer: &str,
) -> (StatusCode, Value, bool) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let challenge = response.headers().contains_key(header::WWW_AUTHENTICATE);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        challenge,
    )
}

#[tokio::test]
async fn a_providers_token_acts_in_its_claims_role_and_a_bad_one_opens_nothing() {
    let directory = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&directory.path().join("vigil.db"), Durability::Normal)
        .await
        .unwrap();
    let provider = signer();
    let jwks = directory.path().join("jwks.json");
    std::fs::write(
        &jwks,
        json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": provider.public_x, "kid": "k1", "alg": "EdDSA" }] })
            .to_string(),
    )
    .unwrap();
    let casework = vigil_pipeline::Casework::load(
        &store,
        vigil_linkage::LinkageModel::default_model(),
        vigil_rules::RulesConfig::default(),
    )
    .await
    .unwrap();
    let router = router(AppState {
        store: store.clone(),
        limits: WebLimits::default(),
        casework,
        access: AccessSettings {
            oidc: Some(std::sync::Arc::new(OidcVerifier::new(
                OidcSettings::new(ISSUER, "vigil"),
                JwksSource::File(jwks),
            ))),
            ..AccessSettings::default()
        },
    });

    let good = token(&provider, json!({}));
    let (status, body, _) = call(&router, Method::GET, "/api/v1/children", &good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The role comes from the claims: a MASH analyst may not administer.
    let (status, body, _) = call(&router, Method::GET, "/api/v1/webhooks", &good).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let audit = store
        .audit_after(vigil_store::Page {
            after: 0,
            limit: 100,
        })
        .await
        .unwrap();
    assert!(audit.iter().all(|entry| entry.entry.actor_id == "oidc:u-1"));
    assert_eq!(audit[0].entry.actor_role.as_deref(), Some("mash_analyst"));
    // A practitioner's token without the agency its role needs is refused.
    let no_agency = token(&provider, json!({ "vigil_role": "practitioner" }));
    assert_eq!(
        call(&router, Method::GET, "/api/v1/rules", &no_agency)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );

    // Vigil's own keys work beside the provider's tokens.
    let (_, key) =
        vigil_store::accounts::issue_api_key(&store, "MASH", Role::MashAnalyst, None, None, "test")
            .await
            .unwrap();
    assert_eq!(
        call(&router, Method::GET, "/api/v1/rules", &key).await.0,
        StatusCode::OK
    );

    let now = jiff::Timestamp::now().as_second();
    let another = signer();
    let bad = [
        ("expired", token(&provider, json!({ "exp": now - 120 }))),
        (
            "another audience",
            token(&provider, json!({ "aud": "another-app" })),
        ),
        (
            "another issuer",
            token(
                &provider,
                json!({ "iss": "https://elsewhere.example.invalid" }),
            ),
        ),
        ("another key", token(&another, json!({}))),
        ("malformed", "eyJhbGciOiJub25lIn0.e30.".to_string()),
    ];
    let table = vigil_web::api::route_table::<SqliteStore>();
    for route in &table {
        if route.access == vigil_access::Access::Public {
            continue;
        }
        let path = route
            .path
            .replace("{agency}", "QAH")
            .replace("{id}", "00000000-0000-7000-8000-000000000000");
        for (what, bearer) in &bad {
            let (status, problem, challenge) =
                call(&router, route.method.clone(), &path, bearer).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{} {path} with a token {what}: {problem}",
                route.method
            );
            assert!(challenge);
            assert_eq!(problem["type"], "/problems/unauthenticated");
        }
    }
}
