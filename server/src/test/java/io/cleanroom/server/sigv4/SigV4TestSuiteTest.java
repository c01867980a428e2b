package io.cleanroom.server.sigv4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AWS's published SigV4 test suite (reproduced as facts in src/test/resources/sigv4-test-suite,
 * sources in its README): for every case the verifier builds the suite's canonical request and
 * string to sign, accepts the published signature, and refuses it once the request is changed or
 * the secret is wrong.
 */
class SigV4TestSuiteTest {
    private static final String KEY = "AKIDEXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final Instant SIGNED_AT = Instant.parse("2015-08-30T12:36:00Z");

    private final SignatureVerifier verifier = new SignatureVerifier(Set.of("us-east-1"),
            java.time.Duration.ofMinutes(15));

    static Stream<String> cases() {
        Path suite = RequestFiles.resource("sigv4-test-suite");
        return RequestFiles.children(suite, "").stream().filter(java.nio.file.Files::isDirectory)
                .map(p -> p.getFileName().toString());
    }

    private static String fact(String name, String file) {
        return RequestFiles.read(RequestFiles.resource("sigv4-test-suite/" + name + "/" + file));
    }

    private static SignedRequest request(String name) {
        return RequestFiles.parse(fact(name, "signed-request.txt"));
    }

    private String verify(SignedRequest request, String secret) {
        return verifier.verify(request, "service", SIGNED_AT, id -> id.equals(KEY) ? Optional.of(id)
                : Optional.empty(), id -> secret);
    }

    private SigV4Exception refusal(SignedRequest request, String secret) {
        SigV4Exception e = catchThrowableOfType(SigV4Exception.class, () -> verify(request, secret));
        assertThat(e).as("expected a refusal").isNotNull();
        return e;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void buildsTheSuitesCanonicalRequestAndStringToSign(String name) {
        SignatureVerifier.Checked checked = verifier.check(request(name), "service", SIGNED_AT);
        assertThat(checked.canonicalRequest()).isEqualTo(fact(name, "canonical-request.txt"));
        assertThat(checked.stringToSign()).isEqualTo(fact(name, "string-to-sign.txt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void acceptsThePublishedSignature(String name) {
        assertThat(verify(request(name), SECRET)).isEqualTo(KEY);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusesTheSignatureForAnotherSecretPathOrBody(String name) {
        SignedRequest good = request(name);
        assertThat(refusal(good, SECRET.replace('w', 'W')).kind()).isEqualTo(SigV4Exception.Kind.INVALID_SIGNATURE);
        assertThat(refusal(RequestFiles.withTarget(good, good.rawPath() + "x", good.rawQuery()), SECRET)
                .getMessage()).contains("signature we calculated does not match");
        assertThat(refusal(RequestFiles.withBody(good, new String(good.body(), java.nio.charset.StandardCharsets.UTF_8)
                + "&Param2=value2"), SECRET).getMessage()).contains("does not match");
        assertThat(refusal(RequestFiles.withHeader(good, "X-Amz-Date", List.of("20150830T123601Z")), SECRET)
                .getMessage()).contains("signature we calculated does not match");
    }
}
