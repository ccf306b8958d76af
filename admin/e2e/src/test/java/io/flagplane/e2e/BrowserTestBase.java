package io.flagplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.local.LocalStack;
import io.flagplane.settings.Settings;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One whole local stack (broker, registry, the three services and the console, on free ports, data in
 * a temporary folder) and one headless chromium per test class; helpers to find, wait on and click
 * elements by {@code data-testid}, and {@link #screenshot} saving PNGs under
 * {@code target/screenshots/<TestClass>/<nn>-<name>.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BrowserTestBase {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(20);

    protected LocalStack stack;
    protected WebDriver driver;
    protected Rest command;
    protected Rest projection;
    protected Rest edge;
    private final AtomicInteger shots = new AtomicInteger();

    @BeforeAll
    void startStackAndBrowser() throws Exception {
        boolean required = "1".equals(System.getenv("FLAGPLANE_REQUIRE_BROWSER"));
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            String message = "the browser tests need Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): "
                    + "apt-get install -y chromium chromium-driver";
            assertThat(required).as(message + " (FLAGPLANE_REQUIRE_BROWSER=1 makes their absence a failure)").isFalse();
            Assumptions.abort(message);
        }
        Path shotsDir = screenshotsDir();
        if (Files.isDirectory(shotsDir)) {   // this run's pictures only
            try (var old = Files.list(shotsDir)) {
                for (Path file : old.toList()) {
                    Files.delete(file);
                }
            }
        }
        Path dataDir = Files.createTempDirectory(Path.of("target"), getClass().getSimpleName() + "-stack");
        prepareDataDir(dataDir);
        stack = LocalStack.start(dataDir, new LocalStack.Ports(freePort(), freePort(), 0, 0, 0, 0, 0), Settings.of(stackSettings()));
        assertThat(stack.awaitReady(Duration.ofSeconds(120))).as("the local stack is ready").isTrue();
        command = new Rest(stack.commandUrl(), stack.adminToken());
        projection = new Rest(stack.projectionUrl(), stack.adminToken());
        edge = new Rest(stack.edgeUrl(), stack.adminToken());

        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(new File("target/chromedriver-" + getClass().getSimpleName() + ".log"))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-dev-shm-usage", "--window-size=1400,1000");
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
    }

    /** The broker's listeners must be named before it starts (KRaft's quorum voters): a free port each. */
    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Before the stack starts on it: e.g. a tokens.json with more people (LocalStack keeps an existing one). */
    protected void prepareDataDir(Path dataDir) throws Exception {
    }

    /** Settings for the stack; subclasses may add. */
    protected Map<String, String> stackSettings() {
        return Map.of();
    }

    @AfterAll
    void stopBrowserAndStack() {
        if (driver != null) {
            driver.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** Opens the console at a route, e.g. {@code open("#/production/flags")}. */
    protected void open(String hash) {
        // a fresh page load each time: going to the URL the tab already shows would only move the hash
        driver.get("about:blank");
        driver.get(stack.consoleUrl() + hash);
    }

    /** Signs in through the login screen with the stack's admin token. */
    protected void login() {
        open("");
        type("login-token", stack.adminToken());
        click("login-submit");
        waitFor("env-picker");
    }

    protected static By testId(String id) {
        return By.cssSelector("[data-testid=\"" + id + "\"]");
    }

    protected WebElement find(String id) {
        return waitFor(id);
    }

    protected List<WebElement> all(String id) {
        return driver.findElements(testId(id));
    }

    protected WebElement waitFor(String id) {
        return until("[data-testid=" + id + "] to be shown", d -> {
            List<WebElement> found = d.findElements(testId(id));
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    protected void waitGone(String id) {
        until(d -> d.findElements(testId(id)).isEmpty() ? Boolean.TRUE : null);
    }

    /** Waits until the element's text contains {@code text}; returns the whole text. */
    protected String waitText(String id, String text) {
        return until("[data-testid=" + id + "] to show '" + text + "'", d -> {
            for (WebElement e : d.findElements(testId(id))) {
                try {
                    String shown = e.getText();
                    if (shown.contains(text)) {
                        return shown;
                    }
                } catch (org.openqa.selenium.StaleElementReferenceException gone) {
                    // re-rendered: look again
                }
            }
            return null;
        });
    }

    protected <T> T until(Function<WebDriver, T> condition) {
        return until("the condition", condition);
    }

    protected <T> T until(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(50))
                .withMessage(() -> "waiting for " + what + "; the page shows: " + pageText())
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition::apply);
    }

    private String pageText() {
        try {
            String text = driver.findElement(By.tagName("body")).getText();
            return text.length() > 1500 ? text.substring(0, 1500) + "…" : text;
        } catch (RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }

    protected void click(String id) {
        until(d -> {
            WebElement e = waitFor(id);
            if (!e.isEnabled()) {
                return null;
            }
            e.click();
            return Boolean.TRUE;
        });
    }

    protected void type(String id, String text) {
        WebElement e = waitFor(id);
        e.clear();
        e.sendKeys(text);
    }

    protected Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private Path screenshotsDir() {
        return Path.of(System.getProperty("screenshots.dir", "target/screenshots"), getClass().getSimpleName());
    }

    /** Saves a PNG of the page as it is now. */
    protected Path screenshot(String name) {
        Path dir = screenshotsDir();
        Path file = dir.resolve(String.format("%02d-%s.png", shots.incrementAndGet(), name));
        try {
            Files.createDirectories(dir);
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + file, e);
        }
        return file;
    }
}
