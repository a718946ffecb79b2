package dev.kiln.processor;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.palantir.javapoet.ClassName;
import dev.kiln.processor.emit.RuntimeNames;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The processor spells the runtime's type names in {@link RuntimeNames} without depending on the
 * runtime; the runtime is on the test class path, so each name can be loaded to prove it exists.
 */
class RuntimeNamesTest {
  static Stream<Named<ClassName>> runtimeNames() throws IllegalAccessException {
    List<Named<ClassName>> names = new ArrayList<>();
    for (Field field : RuntimeNames.class.getDeclaredFields()) {
      int modifiers = field.getModifiers();
      if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && field.getType() == ClassName.class) {
        names.add(Named.of(field.getName(), (ClassName) field.get(null)));
      }
    }
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimeNames")
  void namedTypeExists(ClassName name) {
    Class<?> type = assertDoesNotThrow(
        () -> Class.forName(name.reflectionName(), false, RuntimeNamesTest.class.getClassLoader()),
        name.reflectionName() + " is named by generated code but cannot be loaded");
    assertEquals(name.reflectionName(), type.getName());
  }

  @Test
  void thereAreNamesToCheck() throws IllegalAccessException {
    assertFalse(runtimeNames().findAny().isEmpty(), "no public static ClassName fields found");
  }
}
