package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.Input;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/**
 * A network input (Keras's InputLayer): an {@code @Input} method, or the input that
 * {@code @Network(input = ...)} declares, named {@code input}. It computes nothing; its buffer and
 * its gradient buffer belong to the runtime, which fills the one and reads the other.
 *
 * @param attribute the annotation value that holds the shape, for diagnostics
 */
public record InputLayer(String name, Site site, List<String> inputs, int[] shape, String attribute)
    implements LayerSpec {
  public InputLayer {
    inputs = List.copyOf(inputs);
    shape = shape.clone();
  }

  static InputLayer read(LayerDeclaration d) {
    return new InputLayer(d.name(), d.site(), d.inputs(), d.annotation(Input.class).value(), "value");
  }

  @Override
  public String typeName() {
    return "InputLayer";
  }

  @Override
  public boolean isInput() {
    return true;
  }

  @Override
  public int minInputs() {
    return 0;
  }

  @Override
  public int maxInputs() {
    return 0;
  }

  @Override
  public void check(Diagnostics diagnostics) {
    if (shape.length == 0) {
      diagnostics.error(site, attribute, Message.INPUT_MISSING);
    }
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] <= 0) {
        diagnostics.error(site, attribute, Message.INPUT_DIMENSION, d, shape[d]);
      }
    }
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    Shape shape = Shape.of(this.shape);
    if (shape.size() > Shape.MAX_VALUES) {
      // The shape is an annotation value: point at it.
      String subject = site.element() instanceof javax.lang.model.element.TypeElement ? "@Network input"
          : "@Input " + name + "()";
      diagnostics.error(site, attribute, Message.SIZE_LIMIT, subject, "its shape " + shape, shape.size());
      return null;
    }
    return shape;
  }


  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      @Override
      public List<Buffer> buffers(LayerContext layer) {
        return List.of(); // the runtime's input buffers
      }

      @Override
      public CodeBlock forward(LayerContext layer) {
        return CodeBlock.of("");
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        return CodeBlock.of("");
      }
    };
  }

  /** Images' backgrounds, one-hot and count vectors: a network's input often holds many zeros. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return true;
  }
}
