package io.cleanroom.server;

import java.util.List;

/** A test class that drives browsers: the ones it opened, for the screenshots of a failure ({@link ConsoleIT.ShotsOnFailure}). */
interface BrowserSuite {
    List<Browser> browsers();
}
