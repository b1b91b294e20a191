package dev.trunkline.simulators;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * Twilio's list paging: {@code PageSize} (default 50), {@code Page} and {@code PageToken} ({@code PA<sid of the last
 * item of the previous page>}, so a page boundary survives concurrent inserts). The 2010 API answers with
 * {@code next_page_uri} and friends at the top level (relative URIs), trunking v1 with a {@code meta} object
 * ({@code next_page_url}, absolute URLs). Other query parameters (filters) are carried over into the page links.
 */
final class TwilioPaging {

  static final int DEFAULT_PAGE_SIZE = 50;

  private TwilioPaging() {
  }

  record Page<T>(List<T> items, int page, int pageSize, int start, String nextToken) {
  }

  /** Cuts one page out of {@code all} (in list order) according to the request's paging parameters. */
  static <T> Page<T> cut(List<T> all, Function<T, String> sidOf, MultiMap query) {
    int pageSize = intParam(query, "PageSize", DEFAULT_PAGE_SIZE);
    int page = intParam(query, "Page", 0);
    int start = (int) Math.min(Integer.MAX_VALUE, (long) page * pageSize);
    String token = query.get("PageToken");
    if (token != null && token.startsWith("PA")) {
      String after = token.substring(2);
      for (int i = 0; i < all.size(); i++) {
        if (sidOf.apply(all.get(i)).equals(after)) {
          start = i + 1;
          break;
        }
      }
    }
    start = Math.min(start, all.size());
    int end = Math.min(all.size(), start + pageSize);
    String next = end < all.size() && end > start ? "PA" + sidOf.apply(all.get(end - 1)) : null;
    return new Page<>(all.subList(start, end), page, pageSize, start, next);
  }

  /** The 2010 API list reply: {@code {<key>: [...], start, end, page, page_size, uri, first/next/previous_page_uri}}. */
  static JsonObject v2010(String key, Page<JsonObject> page, String path, MultiMap query) {
    JsonArray items = new JsonArray(page.items());
    return new JsonObject()
        .put(key, items)
        .put("end", page.start() + Math.max(0, page.items().size() - 1))
        .put("first_page_uri", link(path, query, page.pageSize(), 0, null))
        .put("next_page_uri", page.nextToken() == null ? null
            : link(path, query, page.pageSize(), page.page() + 1, page.nextToken()))
        .put("page", page.page())
        .put("page_size", page.pageSize())
        .put("previous_page_uri", page.page() == 0 ? null : link(path, query, page.pageSize(), page.page() - 1, null))
        .put("start", page.start())
        .put("uri", link(path, query, page.pageSize(), page.page(), query.get("PageToken")));
  }

  /** The trunking v1 list reply: {@code {<key>: [...], meta: {page, page_size, first_page_url, ..., key}}}. */
  static JsonObject v1(String key, Page<JsonObject> page, String baseUrl, String path, MultiMap query) {
    JsonObject meta = new JsonObject()
        .put("page", page.page())
        .put("page_size", page.pageSize())
        .put("first_page_url", baseUrl + link(path, query, page.pageSize(), 0, null))
        .put("previous_page_url", page.page() == 0 ? null
            : baseUrl + link(path, query, page.pageSize(), page.page() - 1, null))
        .put("url", baseUrl + link(path, query, page.pageSize(), page.page(), query.get("PageToken")))
        .put("next_page_url", page.nextToken() == null ? null
            : baseUrl + link(path, query, page.pageSize(), page.page() + 1, page.nextToken()))
        .put("key", key);
    return new JsonObject().put(key, new JsonArray(page.items())).put("meta", meta);
  }

  private static String link(String path, MultiMap query, int pageSize, int page, String token) {
    StringBuilder link = new StringBuilder(path).append('?');
    for (String name : query.names()) {
      if (!name.equals("PageSize") && !name.equals("Page") && !name.equals("PageToken")) {
        for (String value : query.getAll(name)) {
          link.append(enc(name)).append('=').append(enc(value)).append('&');
        }
      }
    }
    link.append("PageSize=").append(pageSize).append("&Page=").append(page);
    if (token != null) {
      link.append("&PageToken=").append(enc(token));
    }
    return link.toString();
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Already validated against the OpenAPI document (an integer within range); clamped so huge pages cannot overflow. */
  private static int intParam(MultiMap query, String name, int fallback) {
    String value = query.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return (int) Math.max(0, Math.min(1_000_000, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      throw TwilioException.invalid(name + " must be an integer");
    }
  }
}
