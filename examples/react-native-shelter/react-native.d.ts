/**
 * The few `react-native` components and APIs the screen uses, typed as react-native declares
 * them, so that CI type-checks the example without installing React Native itself (hundreds of
 * megabytes). In an app, react-native's own types take this file's place: delete it.
 */
declare module 'react-native' {
  import type { ComponentType, ReactNode } from 'react';

  type Style = Readonly<Record<string, string | number>>;

  export const Platform: { readonly OS: 'ios' | 'android' | 'windows' | 'macos' | 'web' };

  export const View: ComponentType<{ style?: Style; children?: ReactNode; accessibilityLabel?: string }>;
  export const Text: ComponentType<{ style?: Style; children?: ReactNode; accessibilityRole?: 'header' | 'alert' | 'text' }>;
  export const TextInput: ComponentType<{
    style?: Style;
    value?: string;
    onChangeText?: (text: string) => void;
    secureTextEntry?: boolean;
    keyboardType?: 'default' | 'number-pad';
    maxLength?: number;
    editable?: boolean;
    placeholder?: string;
    autoComplete?: 'off';
    textContentType?: 'none' | 'password';
  }>;
  export const Pressable: ComponentType<{
    style?: Style;
    onPress?: () => void;
    disabled?: boolean;
    accessibilityRole?: 'button';
    children?: ReactNode;
  }>;
  export const FlatList: <T>(props: {
    data: readonly T[];
    keyExtractor: (item: T) => string;
    renderItem: (info: { item: T; index: number }) => ReactNode;
  }) => ReactNode;
}
