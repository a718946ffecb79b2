package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.internal.LayerInfo;
import dev.kiln.runtime.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layer methods declared in supertypes: the supertypes' layers first, then the type's own. */
class InheritedLayersTest {
  private static final String HEADER = "package test; import dev.kiln.annotations.*; import dev.kiln.runtime.Layer; "
      + "import static dev.kiln.annotations.ActivationFunction.*;\n";

  private static Model compileAndConstruct(String name, String body) {
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor())
        .compile(JavaFileObjects.forSourceString(name, HEADER + body));
    assertThat(compilation).succeeded();
    return (Model) new CompiledClasses(compilation).construct(name + "Model", 4);
  }

  private static List<String> layerNames(Model model) {
    return model.core().info().layers().stream().map(LayerInfo::name).toList();
  }

  @Test
  void layersOfASuperInterfaceComeFirst() {
    Model model = compileAndConstruct("test.Net", """
        interface Base {
          @Dense(units = 4, activation = RELU)
          Layer hidden();
        }

        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net extends Base {
          @Dense(units = 1)
          Layer out();
        }
        """);
    assertEquals(List.of("hidden", "out"), layerNames(model));
    assertEquals(2 * 4 + 4 + 4 + 1, model.core().parameters().length);
  }

  @Test
  void superclassThenInterfacesThenOwnAndAnOverrideTakesItsOwnPlace() {
    Model model = compileAndConstruct("test.Net", """
        abstract class Base {
          @Dense(units = 3)
          abstract Layer first();

          @Dense(units = 99)
          abstract Layer replaced();
        }

        interface Extra {
          @Dense(units = 5)
          Layer second();
        }

        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        abstract class Net extends Base implements Extra {
          @Dense(units = 6)
          @Override
          abstract Layer replaced();

          @Dense(units = 1)
          public abstract Layer out();
        }
        """);
    assertEquals(List.of("first", "second", "replaced", "out"), layerNames(model));
    // first 2x3+3, second 3x5+5, replaced 5x6+6, out 6x1+1
    assertEquals(9 + 20 + 36 + 7, model.core().parameters().length);
  }

  @Test
  void anInterfaceReachedTwiceCountsOnce() {
    Model model = compileAndConstruct("test.Net", """
        interface Root {
          @Dense(units = 3, activation = TANH)
          Layer root();
        }

        interface Left extends Root {}

        interface Right extends Root {}

        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net extends Left, Right {
          @Dense(units = 1)
          Layer out();
        }
        """);
    assertEquals(List.of("root", "out"), layerNames(model));
  }
}
