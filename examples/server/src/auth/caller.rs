//! The extractors that say who is calling and refuse the wrong role or
//! someone else's account or vendor (403). Routes that name an account or
//! a vendor in their path (`{account}`, `{vendor}`) are checked here, once,
//! against the token's claims.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use dcms_core::{CustomerId, VendorId};

use super::claims::{Claims, Role};
use crate::logging::mask_account;
use crate::problem::ApiError;
use crate::state::AppState;

/// A caller whose token passed every check.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The verified claims.
    pub claims: Claims,
}

impl Caller {
    /// The scope its idempotency keys live in: one vendor, one account or
    /// one admin subject never shares keys with another.
    pub fn key_scope(&self) -> String {
        match self.claims.role {
            Role::Customer => format!("c:{}", self.claims.account.as_deref().unwrap_or("")),
            Role::Vendor => format!("v:{}", self.claims.vendor.as_deref().unwrap_or("")),
            Role::Admin => format!("a:{}", self.claims.sub),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("send a bearer token in the Authorization header")
        })?;
        let text = header.to_str().map_err(|_| {
            ApiError::unauthorized("the Authorization header is not a bearer token")
        })?;
        let token = text.strip_prefix("Bearer ").ok_or_else(|| {
            ApiError::unauthorized("the Authorization header is not a bearer token")
        })?;
        match state.keys.verify(token) {
            Ok(claims) => {
                tracing::Span::current().record("role", format!("{:?}", claims.role));
                let caller = Caller { claims };
                parts.extensions.insert(caller.clone());
                Ok(caller)
            }
            Err(refusal) => {
                tracing::info!(reason = %refusal.0, "token refused");
                Err(ApiError::unauthorized("the token is not valid"))
            }
        }
    }
}

/// A path parameter by name.
async fn path_param(parts: &mut Parts, state: &AppState, name: &str) -> Result<String, ApiError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::bad_request("invalid_path", "the path could not be read"))?;
    params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .ok_or_else(|| ApiError::not_found("no such route"))
}

/// A customer acting on its own account (`{account}` in the path).
#[derive(Debug, Clone)]
pub struct Customer {
    /// The caller's account.
    pub account: CustomerId,
    /// The caller.
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.claims.role != Role::Customer {
            return Err(ApiError::forbidden("this route is for customers"));
        }
        let own = caller
            .claims
            .account
            .as_deref()
            .and_then(|a| state.ledger.parse_account_id(a).ok())
            .ok_or_else(|| ApiError::forbidden("the token names no valid account"))?;
        let asked = path_param(parts, state, "account").await?;
        if asked != own.to_string() {
            tracing::info!(asked = %mask_account(&asked), "customer refused another account");
            return Err(ApiError::forbidden(
                "a customer may act on its own account only",
            ));
        }
        tracing::Span::current().record("account", mask_account(&asked));
        Ok(Customer {
            account: own,
            caller,
        })
    }
}

/// A vendor acting for itself (`{vendor}` in the path).
#[derive(Debug, Clone)]
pub struct VendorCaller {
    /// The caller's vendor.
    pub vendor: VendorId,
    /// The caller.
    pub caller: Caller,
}

impl FromRequestParts<AppState> for VendorCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.claims.role != Role::Vendor {
            return Err(ApiError::forbidden("this route is for vendors"));
        }
        let own = caller
            .claims
            .vendor
            .as_deref()
            .and_then(|v| VendorId::new(v).ok())
            .ok_or_else(|| ApiError::forbidden("the token names no valid vendor"))?;
        let asked = path_param(parts, state, "vendor").await?;
        if asked != own.as_str() {
            return Err(ApiError::forbidden("a vendor may act for itself only"));
        }
        tracing::Span::current().record("vendor", own.as_str());
        Ok(VendorCaller {
            vendor: own,
            caller,
        })
    }
}

/// The program's operator.
#[derive(Debug, Clone)]
pub struct Admin {
    /// The caller.
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.claims.role != Role::Admin {
            return Err(ApiError::forbidden("this route is for administrators"));
        }
        Ok(Admin { caller })
    }
}
