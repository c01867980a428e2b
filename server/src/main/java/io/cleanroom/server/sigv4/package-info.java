/**
 * AWS Signature Version 4 verification, as AWS verifies it for its non-S3 services, independent
 * of the HTTP server and of the AWS SDK: a request is its method, raw path, raw query, headers
 * (multi-valued) and body bytes; {@link io.cleanroom.server.sigv4.SignatureVerifier} checks its
 * Authorization header against a secret at a given time. Tested against AWS's published SigV4
 * test suite.
 */
package io.cleanroom.server.sigv4;
