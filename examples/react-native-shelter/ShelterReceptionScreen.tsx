/**
 * 避難所受付 screen (React Native): PIN field, one button, the NFC read, the roster of the
 * residents checked in on this device. The card work is `readResident` (reception.ts); this
 * file is only the UI around it.
 *
 * Setup (Info.plist entitlement and AIDs on iOS, the NFC permission on Android): docs/nfc.md.
 */
import { useCallback, useState } from 'react';
import { FlatList, Platform, Pressable, Text, TextInput, View } from 'react-native';
import NfcManager, { NfcError } from 'react-native-nfc-manager';
import { readResident, receptionMessage, type NfcDependencies, type Resident } from './reception.js';

/** Properties of {@link ShelterReceptionScreen}. */
export interface ShelterReceptionScreenProps {
  /** The shelter's secret salt for person keys (keep it in the device's secure storage). */
  readonly salt: Uint8Array;
  /** Store the resident (e.g. send it to the shelter's roster); `'repeat'` when the person key is already there. */
  readonly onCheckIn: (resident: Resident) => Promise<'new' | 'repeat'>;
}

const nfc: NfcDependencies = {
  nfcManager: NfcManager,
  nfcErrors: NfcError,
  platform: Platform.OS === 'ios' ? 'ios' : 'android',
};

/** The reception screen. */
export function ShelterReceptionScreen({ salt, onCheckIn }: ShelterReceptionScreenProps) {
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('暗証番号（数字4桁）を入力して「読み取る」を押してください。');
  const [roster, setRoster] = useState<readonly Resident[]>([]);

  const read = useCallback(async () => {
    setBusy(true);
    setMessage('マイナンバーカードを端末の背面にかざしてください。');
    try {
      const resident = await readResident(nfc, pin, salt);
      const status = await onCheckIn(resident);
      if (status === 'new') setRoster((list) => [resident, ...list]);
      setMessage(status === 'new' ? `受付しました: ${resident.name}` : `受付済みです: ${resident.name}`);
    } catch (error) {
      setMessage(receptionMessage(error));
    } finally {
      setPin(''); // the PIN is never kept after an attempt
      setBusy(false);
    }
  }, [pin, salt, onCheckIn]);

  return (
    <View style={{ flex: 1, padding: 24 }} accessibilityLabel="避難所受付">
      <Text accessibilityRole="header" style={{ fontSize: 24, fontWeight: 'bold' }}>
        避難所受付
      </Text>
      <TextInput
        style={{ fontSize: 28, letterSpacing: 12, marginVertical: 16 }}
        value={pin}
        onChangeText={(text) => setPin(text.replace(/\D/gu, ''))}
        secureTextEntry
        keyboardType="number-pad"
        maxLength={4}
        editable={!busy}
        placeholder="暗証番号"
        autoComplete="off"
        textContentType="none"
      />
      <Pressable accessibilityRole="button" disabled={busy || pin.length !== 4} onPress={() => void read()}>
        <Text style={{ fontSize: 20 }}>{busy ? '読み取り中…' : '読み取る'}</Text>
      </Pressable>
      <Text accessibilityRole="alert" style={{ marginVertical: 16 }}>
        {message}
      </Text>
      <FlatList
        data={roster}
        keyExtractor={(resident) => resident.personKey}
        renderItem={({ item }) => (
          <Text>
            {item.name}（{item.birthDate}）{item.address}
          </Text>
        )}
      />
    </View>
  );
}
