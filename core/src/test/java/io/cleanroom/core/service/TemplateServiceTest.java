package io.cleanroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TemplateServiceTest {
    @Test
    void literalsAndCommentsAreBlankedOutKeepingPositions() {
        String sql = "SELECT ':nope' AS x, a -- :hidden\nFROM t /* :also */ WHERE b = :real AND c = 'it''s'";
        String stripped = TemplateService.stripLiterals(sql);
        assertThat(stripped).hasSameSizeAs(sql);
        assertThat(stripped).doesNotContain(":nope").doesNotContain(":hidden").doesNotContain(":also")
                .contains(":real").doesNotContain("it");
    }
}
