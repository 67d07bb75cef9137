import { describe, expect, it } from 'vitest';
import { compareVi, foldForSearch, matchesQuery } from './text.ts';

describe('foldForSearch', () => {
  it('removes Vietnamese diacritics including đ', () => {
    expect(foldForSearch('Đăng ký khai sinh')).toBe('dang ky khai sinh');
    expect(foldForSearch('Chứng thực bản sao từ bản chính')).toBe('chung thuc ban sao tu ban chinh');
    expect(foldForSearch('ĐỘNG ĐẤT  Ở   Ninh Hòa')).toBe('dong dat o ninh hoa');
  });
  it('treats composed and decomposed input alike', () => {
    expect(foldForSearch('Hòa'.normalize('NFD'))).toBe(foldForSearch('Hòa'.normalize('NFC')));
  });
});

describe('matchesQuery', () => {
  const hay = foldForSearch('Đăng ký khai sinh có yếu tố nước ngoài');
  it('matches words in any order without diacritics', () => {
    expect(matchesQuery(hay, 'dang ky khai sinh')).toBe(true);
    expect(matchesQuery(hay, 'nuoc ngoai khai sinh')).toBe(true);
    expect(matchesQuery(hay, 'Đăng ký')).toBe(true);
  });
  it('rejects when a word is missing', () => {
    expect(matchesQuery(hay, 'ket hon')).toBe(false);
  });
});

describe('compareVi', () => {
  it('sorts đ after d and ă after a', () => {
    expect(['Đất', 'Dân', 'Ăn', 'Anh'].sort(compareVi)).toEqual(['Anh', 'Ăn', 'Dân', 'Đất']);
  });
});
