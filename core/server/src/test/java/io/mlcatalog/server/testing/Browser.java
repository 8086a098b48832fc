package io.mlcatalog.server.testing;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real, headless Chromium driven through chromedriver: Debian's packages ({@code chromium}, {@code chromium-driver},
 * installed by .ci/run). Elsewhere give their paths with {@code -Dmlcatalog.chromium=...} and
 * {@code -Dmlcatalog.chromedriver=...}; where they are absent the browser tests are skipped, saying so.
 */
public final class Browser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of(System.getProperty("mlcatalog.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("mlcatalog.chromedriver", "/usr/bin/chromedriver"));
    /** Where screenshots go besides target/screenshots: {@code -Dmlcatalog.screenshots=docs/screenshots} refreshes the docs' own. */
    private static final String SCREENSHOTS = System.getProperty("mlcatalog.screenshots");

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Skips the calling test class unless Chromium and chromedriver are installed. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser tests skipped: no Chromium at " + CHROMIUM + " or no chromedriver at " + CHROMEDRIVER
                        + " (apt-get install chromium chromium-driver, as .ci/run does, or -Dmlcatalog.chromium/-Dmlcatalog.chromedriver)");
    }

    public static Browser start() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--window-size=1400,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1400, 1000));
        return new Browser(driver);
    }

    public WebDriver driver() {
        return driver;
    }

    /**
     * Loads {@code url} afresh (a page load, not a hash change on the page already shown) and waits until its view has
     * rendered, what it asked the catalog answered ({@code #view[data-ready=yes]}).
     */
    public void open(String url) {
        driver.get("about:blank");
        driver.get(url);
        awaitView();
    }

    /** Waits until the page's view has rendered after a navigation within it. */
    public void awaitView() {
        waitUntil(d -> "yes".equals(d.findElement(By.id("view")).getDomAttribute("data-ready")));
    }

    public void waitUntil(java.util.function.Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(condition::apply);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public java.util.List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public String text(String css) {
        return find(css).getText();
    }

    public Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** The page height, so a screenshot shows the whole view. */
    public void fitHeight() {
        // the window's size counts the browser's own (invisible) bars: the page needs its height on top of them
        long height = ((Number) driver.executeScript(
                "return document.documentElement.scrollHeight + (window.outerHeight - window.innerHeight)")).longValue();
        driver.manage().window().setSize(new Dimension(1400, (int) Math.min(Math.max(height, 700), 2400)));
    }

    /** A screenshot to target/screenshots/{name}.png (and -Dmlcatalog.screenshots, when given). */
    public Path screenshot(String name) {
        fitHeight();
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        driver.manage().window().setSize(new Dimension(1400, 1000));
        try {
            Path target = Path.of("target", "screenshots", name + ".png");
            Files.createDirectories(target.getParent());
            Files.write(target, png);
            if (SCREENSHOTS != null) {
                Path docs = Path.of(SCREENSHOTS, name + ".png");
                Files.createDirectories(docs.getParent());
                Files.write(docs, png);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
