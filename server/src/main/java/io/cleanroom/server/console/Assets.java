package io.cleanroom.server.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The console's scripts and styles: an allow-list of names, each read once from the class path
 * (the WebJars' files and the console's own), so no path of a request ever reaches a file.
 */
final class Assets {
    record Asset(String contentType, byte[] body) {
    }

    private final Map<String, Asset> assets;

    private Assets(Map<String, Asset> assets) {
        this.assets = Map.copyOf(assets);
    }

    static Assets load() {
        Map<String, Asset> out = new LinkedHashMap<>();
        String htmx = webjar("htmx.org");
        String chart = webjar("chart.js");
        String codemirror = webjar("codemirror");
        out.put("htmx.min.js", js(htmx + "/dist/htmx.min.js"));
        out.put("chart.umd.js", js(chart + "/dist/chart.umd.js"));
        out.put("codemirror.js", js(codemirror + "/lib/codemirror.js"));
        out.put("codemirror-sql.js", js(codemirror + "/mode/sql/sql.js"));
        out.put("codemirror.css", css(codemirror + "/lib/codemirror.css"));
        out.put("console.js", js("/io/cleanroom/server/console/static/console.js"));
        out.put("console.css", css("/io/cleanroom/server/console/static/console.css"));
        return new Assets(out);
    }

    Optional<Asset> get(String name) {
        return Optional.ofNullable(assets.get(name));
    }

    /** The resource folder of an npm WebJar on the class path, from its Maven properties. */
    private static String webjar(String name) {
        String properties = "/META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
        try (InputStream in = Assets.class.getResourceAsStream(properties)) {
            if (in == null) {
                throw new IllegalStateException("the console needs the WebJar " + name + " on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return "/META-INF/resources/webjars/" + name + "/" + p.getProperty("version");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + properties, e);
        }
    }

    private static Asset js(String resource) {
        return new Asset("text/javascript; charset=utf-8", read(resource));
    }

    private static Asset css(String resource) {
        return new Asset("text/css; charset=utf-8", read(resource));
    }

    private static byte[] read(String resource) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the console's asset " + resource + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
