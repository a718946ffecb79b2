package dev.kiln.processor;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import javax.tools.JavaFileObject;

/**
 * The class files of a compile-testing compilation as a class loader, so a test can construct
 * the models it generated. The runtime and the annotations come from the test's own class path.
 */
final class CompiledClasses extends ClassLoader {
  private final Map<String, byte[]> classes = new HashMap<>();

  CompiledClasses(Compilation compilation) {
    super(CompiledClasses.class.getClassLoader());
    for (JavaFileObject file : compilation.generatedFiles()) {
      if (file.getKind() != JavaFileObject.Kind.CLASS) {
        continue;
      }
      // compile-testing names class outputs /CLASS_OUTPUT/pkg/Name.class
      String path = file.toUri().getPath();
      String name = path.substring(path.indexOf("/CLASS_OUTPUT/") + "/CLASS_OUTPUT/".length(),
          path.length() - ".class".length()).replace('/', '.');
      try (InputStream in = file.openInputStream()) {
        classes.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    byte[] bytes = classes.get(name);
    if (bytes == null) {
      throw new ClassNotFoundException(name);
    }
    return defineClass(name, bytes, 0, bytes.length);
  }

  /** A new instance of the generated model {@code name} via its (seed, maxBatch) constructor. */
  Object construct(String name, int maxBatch) {
    try {
      return loadClass(name).getConstructor(long.class, int.class).newInstance(1L, maxBatch);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot construct " + name, e);
    }
  }
}
