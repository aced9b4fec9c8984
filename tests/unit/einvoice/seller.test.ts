import { describe, expect, it } from 'vitest';
import { channelProblems, sellerProblems, type ChannelConfig, type SellerConfig } from '../../../src/domain/einvoice/seller.js';

const seller: SellerConfig = {
  name: 'Rete Veloce S.r.l.', vat_country: 'IT', vat_number: '06363391001', tax_code: '06363391001',
  street: 'Via Appia Nuova', postal_code: '00183', city: 'Roma', province: 'RM', country: 'IT', rea_office: '', rea_number: '',
};
const channel: ChannelConfig = {
  channel: 'pec', transmitter_country: 'IT', transmitter_code: '', pec_address: 'fatture@pec.reteveloce.example',
  pec_smtp_url: 'smtps://u:p@pec.example', pec_imap_url: 'imaps://u:p@pec.example', acube_email: '', acube_password: '',
};

/** A change to the complete config, and the keys with their problem code it must give (in order). */
const sellerCases: [string, Partial<SellerConfig & Pick<ChannelConfig, 'transmitter_code'>>, [string, 'missing' | 'invalid'][]][] = [
  ['complete', {}, []],
  ['no name', { name: ' ' }, [['[company] name', 'missing']]],
  ['no partita IVA', { vat_number: '' }, [['[company] vat_number', 'missing']]],
  ['a wrong check digit', { vat_number: '06363391002' }, [['[company] vat_number', 'invalid']]],
  ['the IT prefix in vat_number', { vat_number: 'IT06363391001' }, [['[company] vat_number', 'invalid']]],
  ['a foreign VAT number is not checked as Italian', { vat_country: 'DE', vat_number: 'DE123456789', tax_code: '' }, []],
  ['a person\'s codice fiscale as tax code', { tax_code: 'RSSMRA85T10A562S' }, []],
  ['a wrong codice fiscale', { tax_code: 'RSSMRA85T10A562X' }, [['[company] tax_code', 'invalid']]],
  ['no registered office', { street: '', postal_code: '', city: '' }, [['[company] street', 'missing'], ['[company] postal_code', 'missing'], ['[company] city', 'missing']]],
  ['a CAP of 4 digits', { postal_code: '0183' }, [['[company] postal_code', 'invalid']]],
  ['a province in lower case', { province: 'rm' }, [['[company] province', 'invalid']]],
  ['no province (optional)', { province: '' }, []],
  ['REA complete', { rea_office: 'RM', rea_number: '1234567' }, []],
  ['REA number without office', { rea_number: '1234567' }, [['[company] rea_office', 'missing']]],
  ['REA office as a name', { rea_office: 'Roma', rea_number: '1234567' }, [['[company] rea_office', 'invalid']]],
  ['an intermediary\'s codice fiscale', { transmitter_code: 'RSSMRA85T10A562S' }, []],
  ['a wrong transmitter code', { transmitter_code: 'RSSMRA85T10A562X' }, [['[einvoice] transmitter_code', 'invalid']]],
];

describe('the seller data every FatturaPA file needs', () => {
  it.each(sellerCases)('%s', (_name, change, expected) => {
    const { transmitter_code = '', ...company } = change;
    const problems = sellerProblems({ ...seller, ...company }, { transmitter_country: 'IT', transmitter_code });
    expect(problems.map((p) => [p.key, p.code])).toEqual(expected);
    expect(problems.every((p) => p.kind === 'seller' && p.message.startsWith(p.key))).toBe(true);
  });
});

describe('the channel to SDI', () => {
  it.each([
    ['PEC complete', {}, []],
    ['no channel: nothing is sent', { channel: '' }, [['[einvoice] channel', 'missing']]],
    ['PEC without its mailbox servers', { pec_smtp_url: '', pec_imap_url: '' }, [['[einvoice] pec_smtp_url', 'missing'], ['[einvoice] pec_imap_url', 'missing']]],
    ['a PEC address that is not one', { pec_address: 'fatture' }, [['[einvoice] pec_address', 'invalid']]],
    ['A-Cube without its account', { channel: 'acube' }, [['[einvoice] acube_email', 'missing'], ['[einvoice] acube_password', 'missing']]],
    ['A-Cube complete', { channel: 'acube', acube_email: 'ops@example.it', acube_password: 'x' }, []],
  ] as [string, Partial<ChannelConfig>, [string, string][]][])('%s', (_name, change, expected) => {
    const problems = channelProblems({ ...channel, ...change });
    expect(problems.map((p) => [p.key, p.code])).toEqual(expected);
    expect(problems.every((p) => p.kind === 'channel')).toBe(true);
  });
});
