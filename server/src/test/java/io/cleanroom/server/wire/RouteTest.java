package io.cleanroom.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Path and query decoding: a malformed percent-escape is the caller's mistake, never a 500. */
class RouteTest {
    private static Router router() {
        Router router = new Router();
        Route.Handler none = call -> HttpResponse.ok(Json.object());
        router.add(new Route("GetCollaboration", "GET", "/collaborations/{collaborationIdentifier}", none));
        router.add(new Route("ListMembers", "GET", "/collaborations/{collaborationIdentifier}/members", none));
        return router;
    }

    @Test
    void pathParametersAreDecoded() {
        assertThat(router().find("GET", "/collaborations/a%2Fb+c").orElseThrow().pathParameters())
                .isEqualTo(Map.of("collaborationIdentifier", "a/b+c"));
    }

    @Test
    void aMalformedEscapeInAPathParameterIsAValidationErrorNamingIt() {
        for (String raw : List.of("%zz", "%", "%4", "a%g0", "%%41")) {
            CleanroomException e = catchThrowableOfType(CleanroomException.class,
                    () -> router().find("GET", "/collaborations/" + raw + "/members"));
            assertThat(e).as(raw).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION);
            assertThat(e.fieldErrors()).extracting(CleanroomException.FieldError::name)
                    .containsExactly("collaborationIdentifier");
        }
    }

    @Test
    void aPathNoRouteServesIsNotRefusedForAnotherRoutesParameter() {
        assertThat(router().find("GET", "/collaborations/%zz/unknown")).isEmpty();
    }

    @Test
    void aMalformedEscapeInTheQueryIsAValidationError() {
        for (String query : List.of("maxResults=%zz", "%zz=1", "nextToken=abc%")) {
            HttpRequest request = new HttpRequest("GET", "/collaborations", query, Map.of(), new byte[0], "127.0.0.1");
            CleanroomException e = catchThrowableOfType(CleanroomException.class, request::queryParameters);
            assertThat(e).as(query).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION);
        }
        HttpRequest fine = new HttpRequest("GET", "/collaborations", "maxResults=5&nextToken=a%2Bb+c", Map.of(),
                new byte[0], "127.0.0.1");
        assertThat(fine.queryParameters()).isEqualTo(Map.of("maxResults", List.of("5"), "nextToken", List.of("a+b+c")));
    }
}
