package io.cleanroom.cli;

import io.cleanroom.client.SignedHttpClient;
import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import picocli.CommandLine.Option;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileProperty;

/** Where the server is and whose keys to sign with: options, then environment, then ~/.aws profiles. */
final class ClientOptions {
    @Option(names = {"--endpoint", "--endpoint-url"}, paramLabel = "URL",
            description = "Server URL (env CLEANROOM_ENDPOINT; default http://127.0.0.1:8080)")
    String endpoint;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "Profile in ~/.aws/credentials (env AWS_PROFILE; default 'default'), used when "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
    String profile;

    @Option(names = "--region", paramLabel = "REGION", description = "Signing region (env AWS_REGION; default us-east-1)")
    String region;

    @Option(names = "--ca-bundle", paramLabel = "FILE",
            description = "PEM certificates to trust for an https endpoint, e.g. a development server's "
                    + "<data-dir>/tls/ca.pem (env AWS_CA_BUNDLE; default the JDK's trust store)")
    java.nio.file.Path caBundle;

    /** The TLS trust asked for (--ca-bundle, AWS_CA_BUNDLE), or null for the JDK's default. */
    javax.net.ssl.SSLContext tls() {
        java.nio.file.Path bundle = caBundle != null ? caBundle
                : env("AWS_CA_BUNDLE").map(java.nio.file.Path::of).orElse(null);
        if (bundle == null) {
            return null;
        }
        try {
            return SignedHttpClient.trusting(bundle);
        } catch (java.io.IOException e) {
            throw new CliException("error: --ca-bundle: " + e.getMessage(), Main.USAGE_ERROR);
        }
    }

    URI endpoint() {
        String value = endpoint != null ? endpoint : env("CLEANROOM_ENDPOINT").orElse("http://127.0.0.1:8080");
        try {
            URI uri = URI.create(value);
            if (uri.getHost() == null || uri.getScheme() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CliException("error: --endpoint must be a URL such as http://127.0.0.1:8080", Main.USAGE_ERROR);
        }
    }

    String region() {
        return region != null ? region : env("AWS_REGION").orElse(env("AWS_DEFAULT_REGION").orElse("us-east-1"));
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }

    /** A signing client with the account's keys. */
    SignedHttpClient client() {
        Optional<String> id = env("AWS_ACCESS_KEY_ID");
        Optional<String> secret = env("AWS_SECRET_ACCESS_KEY");
        if (profile == null && id.isPresent() && secret.isPresent()) {
            return new SignedHttpClient(endpoint(), id.get(), secret.get(), region(), Clock.systemUTC(), tls());
        }
        String name = profile != null ? profile : env("AWS_PROFILE").orElse("default");
        ProfileFile file;
        try {
            file = ProfileFile.defaultProfileFile();
        } catch (RuntimeException e) {
            throw new CliException("error: cannot read ~/.aws/credentials: " + e.getMessage(), Main.USAGE_ERROR);
        }
        var found = file.profile(name);
        Optional<String> key = found.flatMap(p -> p.property(ProfileProperty.AWS_ACCESS_KEY_ID));
        Optional<String> secretKey = found.flatMap(p -> p.property(ProfileProperty.AWS_SECRET_ACCESS_KEY));
        if (key.isEmpty() || secretKey.isEmpty()) {
            throw new CliException("error: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put "
                    + "aws_access_key_id and aws_secret_access_key in profile '" + name + "' of ~/.aws/credentials",
                    Main.USAGE_ERROR);
        }
        return new SignedHttpClient(endpoint(), key.get(), secretKey.get(), region(), Clock.systemUTC(), tls());
    }
}
