package io.cleanroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.server.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One user's headless Chromium (Debian's chromium and chromedriver, never a downloaded one),
 * driven by Selenium at laptop width, with the checks every console page gets: a screenshot,
 * axe-core's accessibility rules, no Content-Security-Policy violation or script error in the
 * browser's log, and no horizontal scrolling.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    static final int WIDTH = 1366;
    static final int HEIGHT = 900;

    private static String axeSource;

    final String name;
    final ChromeDriver driver;
    private final String base;
    private final Path profile;
    private final List<String> visited = new ArrayList<>();

    private Browser(String name, ChromeDriver driver, String base, Path profile) {
        this.name = name;
        this.driver = driver;
        this.base = base;
        this.profile = profile;
    }

    /** The driver binary: CLEANROOM_TEST_CHROMEDRIVER, else Debian's. Missing is a failure, not a skip. */
    static Path chromedriver() {
        String configured = System.getenv("CLEANROOM_TEST_CHROMEDRIVER");
        Path driver = Path.of(configured == null || configured.isBlank() ? "/usr/bin/chromedriver" : configured);
        if (!Files.isExecutable(driver)) {
            throw new IllegalStateException("The console's browser suite needs Chromium and its driver: "
                    + "apt-get install chromium chromium-driver (.ci/run installs them), or set "
                    + "CLEANROOM_TEST_CHROMEDRIVER; not found: " + driver);
        }
        return driver;
    }

    static Path chromium() {
        String configured = System.getenv("CLEANROOM_TEST_CHROMIUM");
        Path binary = Path.of(configured == null || configured.isBlank() ? "/usr/bin/chromium" : configured);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("The console's browser suite needs Chromium: apt-get install chromium "
                    + "chromium-driver (.ci/run installs them), or set CLEANROOM_TEST_CHROMIUM; not found: " + binary);
        }
        return binary;
    }

    static Browser open(String name, String endpoint) throws IOException {
        Path profile = Files.createTempDirectory("cleanroom-chromium-" + name);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--disable-extensions", "--window-size=" + WIDTH + "," + HEIGHT, "--user-data-dir=" + profile,
                "--ignore-certificate-errors", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver().toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        return new Browser(name, driver, endpoint, profile);
    }

    // ---------------------------------------------------------------- navigation

    void get(String path) {
        driver.get(base + path);
    }

    String path() {
        String url = driver.getCurrentUrl();
        return url.startsWith(base) ? url.substring(base.length()) : url;
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    String text(String css) {
        // (read again when the element was replaced between finding and reading it, as in click)
        return new WebDriverWait(driver, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                .until(d -> find(css).getText());
    }

    WebElement waitFor(String css) {
        return new WebDriverWait(driver, Duration.ofSeconds(30)).until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    void waitForText(String css, String text) {
        new WebDriverWait(driver, Duration.ofSeconds(60)).until(
                ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
    }

    /** Waits until the browser shows this path (whatever its query string). */
    void waitUntilPath(String path) {
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> path().replaceFirst("\\?.*$", "").equals(path));
    }

    /** Waits until the browser's path (without its query string) matches a pattern. */
    void waitUntilPathMatches(String pattern) {
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> path().replaceFirst("\\?.*$", "")
                .matches(pattern));
    }

    void fill(String id, String value) {
        WebElement e = driver.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    /** Ticks (or unticks) the checkbox or radio of a field with a value. */
    void tick(String name, String value, boolean on) {
        WebElement box = find("input[name=\"" + name + "\"][value=\"" + value + "\"]");
        if (box.isSelected() != on) {
            box.click();
        }
    }

    void choose(String id, String value) {
        new Select(driver.findElement(By.id(id))).selectByValue(value);
    }

    void click(String css) {
        // a part of the page that refreshes itself (a running query's status, every 700 ms) may replace
        // the element between finding and clicking it: then the click goes to the one now shown
        new WebDriverWait(driver, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class).until(d -> {
            find(css).click();
            return true;
        });
    }

    /** Submits the form a button belongs to by clicking the button whose text this is. */
    void press(String text) {
        driver.findElement(By.xpath("//button[normalize-space(.)=" + xpathLiteral(text) + "]")).click();
    }

    private static String xpathLiteral(String text) {
        return "'" + text.replace("'", "") + "'";
    }

    Object js(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** Types into the SQL editor with the keyboard, after selecting all of it. */
    void typeSql(String sql) {
        WebElement editor = waitFor(".CodeMirror");
        editor.click();
        new Actions(driver).keyDown(Keys.CONTROL).sendKeys("a").keyUp(Keys.CONTROL).sendKeys(Keys.DELETE)
                .sendKeys(sql).perform();
    }

    // ---------------------------------------------------------------- evidence

    /** Saves a screenshot of the page as target/console-screenshots/NAME.png and returns it. */
    Path shot(String step) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(step + ".png");
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), file,
                StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    /** A screenshot of the whole page (the window made as tall as the page for it). */
    Path fullShot(String step) throws IOException {
        long height = ((Number) js("return Math.ceil(document.documentElement.scrollHeight);")).longValue();
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(WIDTH, (int) Math.min(4000, height + 140)));
        try {
            return shot(step);
        } finally {
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(WIDTH, HEIGHT));
        }
    }

    /**
     * The page's checks: screenshot, no CSP violation or script error, no horizontal scrolling at
     * laptop width, and no axe-core violation of WCAG 2.1 A/AA or its best practices.
     */
    Path check(String step) throws IOException {
        Path file = shot(step);
        visited.add(path());
        assertNoBrowserErrors(step);
        Object overflow = js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(((Number) overflow).intValue()).as(step + ": the page scrolls sideways at " + WIDTH + " px")
                .isLessThanOrEqualTo(0);
        List<String> violations = axe();
        assertThat(violations).as(step + ": accessibility violations (axe-core " + axeVersion() + ")").isEmpty();
        return file;
    }

    List<String> visited() {
        return List.copyOf(visited);
    }

    /** Fails on a Content-Security-Policy violation or a script error logged since the last call. */
    void assertNoBrowserErrors(String step) {
        List<String> problems = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            String message = entry.getMessage();
            if (message.matches("^\\S+/console/(?!static/)\\S* - Failed to load resource: the server responded with a "
                    + "status of 4\\d\\d .*")) {
                // a page or fragment the console answered with an error status on purpose (a refused form)
                continue;
            }
            if (message.contains("Content Security Policy") || message.contains("Refused to")
                    || entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                problems.add(entry.getLevel() + " " + message);
            }
        }
        assertThat(problems).as(step + ": the browser logged errors").isEmpty();
    }

    static synchronized String axeVersion() throws IOException {
        try (InputStream in = Browser.class.getResourceAsStream(
                "/META-INF/maven/org.webjars.npm/axe-core/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("axe-core's WebJar is not on the test class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }

    private static synchronized String axeSource() throws IOException {
        if (axeSource == null) {
            String resource = "/META-INF/resources/webjars/axe-core/" + axeVersion() + "/axe.min.js";
            try (InputStream in = Browser.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the test class path");
                }
                axeSource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return axeSource;
    }

    /** axe-core's violations on the page, as "rule: target, target (help)". */
    List<String> axe() throws IOException {
        js(axeSource() + "\n;return typeof axe;");
        Object result = driver.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
                + " 'best-practice']}, resultTypes: ['violations']})"
                + ".then(function (r) { done(JSON.stringify(r.violations)); })"
                + ".catch(function (e) { done('ERROR ' + e); });");
        String text = String.valueOf(result);
        if (text.startsWith("ERROR")) {
            throw new IllegalStateException("axe-core failed: " + text);
        }
        JsonNode violations = Json.MAPPER.readTree(text);
        List<String> out = new ArrayList<>();
        for (JsonNode v : violations) {
            List<String> targets = new ArrayList<>();
            v.path("nodes").forEach(n -> targets.add(n.path("target").toString()));
            out.add(v.path("id").asText() + ": " + String.join(", ", targets) + " (" + v.path("help").asText() + ")");
        }
        return out;
    }

    /**
     * Presses Tab from the top of a freshly loaded page as many times as it has focusable controls,
     * and checks that focus visits every visible control in document order (a radio group once).
     */
    void assertKeyboardOrder(String step) {
        @SuppressWarnings("unchecked")
        List<String> expected = (List<String>) js("var describe = " + DESCRIBE + ";"
                + "var out = []; var seenRadio = {};"
                + "document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')"
                + ".forEach(function (e) {"
                + "  if (e.disabled || e.type === 'hidden' || e.getAttribute('tabindex') === '-1') return;"
                + "  if (e.closest('[hidden]') || e.getClientRects().length === 0) return;"
                + "  var style = getComputedStyle(e);"
                + "  if (style.visibility === 'hidden' || style.display === 'none') return;"
                + "  var d = e.parentElement && e.parentElement.closest('details');"
                + "  if (d && !d.open && !(e.tagName === 'SUMMARY' && e.parentElement === d)) return;"
                + "  if (e.type === 'radio') { if (seenRadio[e.name]) return; seenRadio[e.name] = true;"
                + "    var checked = document.querySelector('input[type=radio][name=\"' + e.name + '\"]:checked');"
                + "    if (checked) e = checked; }"
                + "  out.push(describe(e)); });"
                + "return out;");
        assertThat(expected).as(step + ": the page's focusable controls").hasSizeGreaterThan(3)
                .first().isEqualTo("a #skip");
        List<String> actual = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            new Actions(driver).sendKeys(Keys.TAB).perform();
            actual.add((String) js("return (" + DESCRIBE + ")(document.activeElement);"));
        }
        assertThat(actual).as(step + ": the order in which Tab visits the controls").isEqualTo(expected);
    }

    private static final String DESCRIBE = "function (e) { if (!e) return 'none';"
            + " if (e.closest && e.closest('.CodeMirror')) return 'sql-editor';"
            + " var label = e.id ? '#' + e.id : (e.name ? '[name=' + e.name + ']' : (e.textContent || '').trim()"
            + ".substring(0, 40)); return e.tagName.toLowerCase() + ' ' + label; }";

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary profile left behind
            }
        }
    }
}
