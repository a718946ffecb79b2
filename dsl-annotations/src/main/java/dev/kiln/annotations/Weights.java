package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Build-time weights: a safetensors resource (PyTorch {@code state_dict} names and layouts, as
 * {@code Model.save} writes) that the generated class loads at construction. The name is resolved
 * like {@code Class.getResource}: relative to the network's package, or absolute with a leading
 * {@code /}. Where the processor can see the file (resources and class path of the compilation), a
 * missing tensor or a name, shape or dtype that does not fit the declaration is a compile error;
 * otherwise the same check runs when the model is constructed.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Weights {
  /** {@return the resource name, e.g. {@code "fashion-mlp.safetensors"}} */
  String value();
}
