package dev.trunkline.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;

/**
 * Maps message records to and from the JSON objects that travel on the bus.
 *
 * <p>Unknown fields are ignored on read, so a newer sender can add optional fields without breaking an
 * older consumer (the contract evolves by addition within {@code v1}). Nulls are left out on write.
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .registerModule(vertxJsonTypes());

  /**
   * A message that crosses the bus is copied, and the copy holds nested objects as {@link JsonObject} and
   * {@link JsonArray} rather than maps and lists. Without these serializers Jackson would read them as beans
   * ({@code {"map":..., "empty":...}}) and every nested record would arrive with null fields.
   */
  private static SimpleModule vertxJsonTypes() {
    SimpleModule module = new SimpleModule("vertx-json-types");
    module.addSerializer(JsonObject.class, new StdSerializer<>(JsonObject.class) {
      @Override
      public void serialize(JsonObject value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        provider.defaultSerializeValue(value.getMap(), gen);
      }
    });
    module.addSerializer(JsonArray.class, new StdSerializer<>(JsonArray.class) {
      @Override
      public void serialize(JsonArray value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        provider.defaultSerializeValue(value.getList(), gen);
      }
    });
    return module;
  }

  private Json() {}

  @SuppressWarnings("unchecked")
  public static JsonObject toJson(Object record) {
    if (record == null) {
      return new JsonObject();
    }
    if (record instanceof JsonObject json) {
      return json;
    }
    return new JsonObject(MAPPER.convertValue(record, java.util.Map.class));
  }

  /**
   * Reads a record from a message body; a body that does not fit the record is a 400, not a crash in the
   * consumer.
   */
  public static <T> T fromJson(Object body, Class<T> type) {
    if (type == JsonObject.class) {
      return type.cast(body instanceof JsonObject j ? j : new JsonObject());
    }
    if (!(body instanceof JsonObject json)) {
      throw ServiceException.badRequest(Errors.BAD_MESSAGE, "message body must be a JSON object");
    }
    try {
      // Straight from the map, without encoding to text and parsing again: the serializers registered above
      // read the nested JsonObject/JsonArray instances a bus copy holds (BusTest covers nested records).
      return MAPPER.convertValue(json.getMap(), type);
    } catch (IllegalArgumentException e) {
      // A value a contract type refuses itself (CredentialPurpose's unknown word) keeps that type's own failure.
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof ServiceException refused) {
          throw refused;
        }
      }
      throw ServiceException.badRequest(Errors.BAD_MESSAGE,
          "message body does not fit " + type.getSimpleName() + ": " + Errors.firstLine(e.getMessage()));
    }
  }
}
