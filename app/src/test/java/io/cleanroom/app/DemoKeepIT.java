package io.cleanroom.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cleanroom demo --keep --dp} from the packaged jar: once the lab has run, the server stays up
 * and its web console shows the lab to the advertiser whose keys the demo printed: the
 * collaboration, the queries it ran, and the differentially private collaboration's budget as the
 * demo's query left it.
 */
class DemoKeepIT {
    private static final Pattern CONSOLE = Pattern.compile("Web console: (http://[0-9.]+:\\d+)/console");
    private static final Pattern ADVERTISER = Pattern.compile(
            "Sign in as the advertiser \\(who runs the queries\\): access key id (\\S+), secret (\\S+)");

    @TempDir
    Path dir;

    @Test
    void theKeptServersConsoleShowsTheLab() throws Exception {
        Path jar = Path.of("target", "cleanroom.jar").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(java, "-jar", jar.toString(), "demo", "--keep", "--dp", "--port", "0", "--users",
                "2000", "--data-dir", dir.resolve("demo").toString()).redirectErrorStream(true).start();
        StringBuilder printed = new StringBuilder();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(demo.getInputStream(),
                    StandardCharsets.UTF_8));
            String endpoint = null;
            String key = null;
            String secret = null;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            String line;
            while (secret == null && System.nanoTime() < deadline && (line = lines.readLine()) != null) {
                printed.append(line).append('\n');
                Matcher c = CONSOLE.matcher(line);
                if (c.find()) {
                    endpoint = c.group(1);
                }
                Matcher a = ADVERTISER.matcher(line);
                if (a.find()) {
                    key = a.group(1);
                    secret = a.group(2);
                }
            }
            assertThat(secret).as("the demo printed how to sign in:\n" + printed).isNotNull();
            assertThat(endpoint).isNotNull();
            assertThat(demo.isAlive()).as("the server is kept running").isTrue();
            assertThat(Files.readString(dir.resolve("demo").resolve("demo-credentials.json"))).contains(key);

            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            String session = signIn(http, endpoint, key, secret);
            String collaborations = get(http, endpoint + "/console/collaborations", session);
            Matcher lab = Pattern.compile("href=\"/console/collaborations/([0-9a-f-]{36})\">cleanrooms-lab-collab<")
                    .matcher(collaborations);
            assertThat(lab.find()).as(collaborations).isTrue();
            String collaboration = get(http, endpoint + "/console/collaborations/" + lab.group(1), session);
            assertThat(collaboration).contains("publisher").contains("advertiser").contains("advertiser_audience")
                    .contains("publisher_audience");
            Matcher membership = Pattern.compile("/console/memberships/([0-9a-f-]{36})/query\"").matcher(collaboration);
            assertThat(membership.find()).isTrue();
            String history = get(http, endpoint + "/console/memberships/" + membership.group(1) + "/queries", session);
            assertThat(history).contains("SUCCESS").contains("overlap_count");
            // with --dp, the collaboration under differential privacy shows its budget, spent by the demo's query
            Matcher dp = Pattern.compile("href=\"/console/collaborations/([0-9a-f-]{36})\">cleanrooms-lab-dp<")
                    .matcher(collaborations);
            assertThat(dp.find()).as(collaborations).isTrue();
            String budget = get(http, endpoint + "/console/collaborations/" + dp.group(1), session);
            assertThat(budget).contains("<meter id=\"budget-COUNT\"").contains("9 of 10 left");
        } finally {
            demo.destroy();
            if (!demo.waitFor(30, TimeUnit.SECONDS)) {
                demo.destroyForcibly();
            }
        }
    }

    private static String signIn(HttpClient http, String endpoint, String key, String secret) throws Exception {
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/console/sign-in"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(form.body());
        assertThat(token.find()).isTrue();
        String nonce = cookie(form.headers().allValues("set-cookie"), "cleanroom-console-signin");
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/console/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", "cleanroom-console-signin=" + nonce)
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token.group(1) + "&accessKeyId=" + key
                        + "&secretAccessKey=" + URLEncoder.encode(secret, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signedIn.statusCode()).isEqualTo(303);
        return cookie(signedIn.headers().allValues("set-cookie"), "cleanroom-console");
    }

    private static String cookie(List<String> setCookies, String name) {
        return setCookies.stream().filter(c -> c.startsWith(name + "=")).map(c -> c.substring(name.length() + 1,
                c.indexOf(';'))).findFirst().orElseThrow();
    }

    private static String get(HttpClient http, String url, String session) throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Cookie", "cleanroom-console=" + session).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).as(url).isEqualTo(200);
        return page.body();
    }
}
