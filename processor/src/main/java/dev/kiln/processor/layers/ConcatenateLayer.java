package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/**
 * {@code @Concatenate}: joins its inputs along the last axis, in parameter order; each row of the
 * output is the inputs' rows side by side, and backward hands each input its columns.
 */
public record ConcatenateLayer(String name, Site site, List<String> inputs) implements MergeLayer {
  public ConcatenateLayer {
    inputs = List.copyOf(inputs);
  }

  static ConcatenateLayer read(LayerDeclaration d) {
    return new ConcatenateLayer(d.name(), d.site(), d.inputs());
  }

  @Override
  public String typeName() {
    return "Concatenate";
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    long last = 0;
    for (Shape shape : in) {
      if (shape.rank() != in.get(0).rank() || !shape.withLast(1).equals(in.get(0).withLast(1))) {
        diagnostics.error(site, null, Message.CONCATENATE_SHAPES, name, Layers.describe(inputs, in));
        return null;
      }
      last += shape.last();
    }
    if (last > Shape.MAX_VALUES) {
      diagnostics.error(site, null, Message.SIZE_LIMIT, name + "()", "its last axis", last);
      return null;
    }
    return in.get(0).withLast((int) last);
  }

  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      @Override
      public CodeBlock forward(LayerContext layer) {
        CodeBlock.Builder code = CodeBlock.builder();
        String column = "0";
        for (int i = 0; i < layer.inputCount(); i++) {
          code.add("K.copyBlock($L, $L, $L, 0, $L, $L, $L, $L);\n", layer.rows(), layer.inFeatures(i), layer.in(i),
              layer.inFeatures(i), layer.out(), column, layer.features());
          column = column.equals("0") ? layer.inFeatures(i) : column + " + " + layer.inFeatures(i);
        }
        return code.build();
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        CodeBlock.Builder code = CodeBlock.builder();
        String column = "0";
        for (int i = 0; i < layer.inputCount(); i++) {
          String from = column;
          int input = i;
          code.add(layer.inputGradient(i, target -> CodeBlock.of("K.copyBlock($L, $L, $L, $L, $L, $L, 0, $L);\n",
              layer.rows(), layer.inFeatures(input), layer.grad(), from, layer.features(), target,
              layer.inFeatures(input))));
          column = column.equals("0") ? layer.inFeatures(i) : column + " + " + layer.inFeatures(i);
        }
        return code.build();
      }
    };
  }

  /** The inputs side by side: zeros wherever an input has them. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return inputsHaveZeros.contains(true);
  }
}
