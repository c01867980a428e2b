package io.cleanroom.server.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;

/**
 * Renders the console's templates, compiled to Java at build time (the jte Maven plugin), so the
 * server compiles nothing at run time. Templates escape every value by its HTML context.
 */
final class Views {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(null, ContentType.Html,
            Views.class.getClassLoader(), "io.cleanroom.server.console");

    /** A template with one parameter, its model. */
    byte[] render(String template, Object model) {
        Utf8ByteOutput out = new Utf8ByteOutput();
        engine.render(template + ".jte", model, out);
        return out.toByteArray();
    }

    WebReply page(int status, String template, Object model) {
        return WebReply.html(status, render(template, model));
    }

    WebReply page(String template, Object model) {
        return page(200, template, model);
    }
}
